namespace NativeLinkGuard.Resolution;

/// <summary>
/// Why a directory is on a search list, for ld and ld.so alike; the wording (<see cref="SearchAttempt.Describe"/>)
/// names the tool's own source of it.
/// </summary>
public enum SearchRule
{
    CommandLineLibraryPath,
    DefaultSearchDir,
    RpathLink,
    Rpath,
    LdRunPath,
    LdLibraryPath,
    Runpath,
    DtRpath,
    LdSoConf,
    ScriptDirectory,
    WorkingDirectory,
    AbsoluteName,

    // ld.so's own sources (LdLibraryPath, Runpath and DtRpath serve both tools; ld.so's DT_RPATH is inherited and
    // names its owner).

    /// <summary>A DT_NEEDED with a slash, opened as is.</summary>
    PathInNeeded,
    LdSoCache,
    /// <summary>A sysroot without ld.so.cache: the directories of its ld.so.conf, standing in for the cache.</summary>
    LdSoConfAsCache,
    /// <summary>ld.so's trusted directories (glibc's system_dirs).</summary>
    SystemDirectory,
}

public enum AttemptOutcome { Absent, Incompatible, NotSharedObject, Unreadable, RejectedFirstPass, Accepted }

/// <summary>One candidate ld would try, and what happened.</summary>
public sealed record SearchAttempt(string Directory, SearchRule Rule, string Candidate, AttemptOutcome Outcome,
    string? Detail = null)
{
    public string RuleText => Describe(Rule);

    /// <summary>The one wording of every rule. OWNER: the object whose DT_RUNPATH/DT_RPATH it is, when known (ld.so
    /// names it: "DT_RPATH of libtop.so"); ld's messages speak of "the needing library".</summary>
    public static string Describe(SearchRule rule, string? owner = null) => rule switch
    {
        SearchRule.Runpath when owner is not null => "DT_RUNPATH of " + owner,
        SearchRule.DtRpath when owner is not null => "DT_RPATH of " + owner,
        SearchRule.CommandLineLibraryPath => "-L (command line)",
        SearchRule.DefaultSearchDir => "SEARCH_DIR (linker default)",
        SearchRule.RpathLink => "-rpath-link",
        SearchRule.Rpath => "-rpath",
        SearchRule.LdRunPath => "LD_RUN_PATH",
        SearchRule.LdLibraryPath => "LD_LIBRARY_PATH",
        SearchRule.Runpath => "DT_RUNPATH of the needing library",
        SearchRule.DtRpath => "DT_RPATH of the needing library",
        SearchRule.LdSoConf => "ld.so.conf",
        SearchRule.ScriptDirectory => "linker script's directory",
        SearchRule.WorkingDirectory => "working directory",
        SearchRule.AbsoluteName => "absolute name",
        SearchRule.PathInNeeded => "path in DT_NEEDED",
        SearchRule.LdSoCache => "ld.so.cache",
        SearchRule.LdSoConfAsCache => "ld.so.conf (what ldconfig would cache)",
        SearchRule.SystemDirectory => "system search path",
        _ => rule.ToString(),
    };
}

/// <summary>A directory on a search list with the rule that put it there.</summary>
public readonly record struct SearchDirectory(string Path, SearchRule Rule, string? Written = null)
{
    /// <summary>The directory as ld spells it in messages (relative -L dirs stay relative).</summary>
    public string Spelling => Written ?? Path;
}
