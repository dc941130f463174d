namespace NativeLinkGuard.Resolution;

/// <summary>Why a directory is on a search list; the wording names ld's own source of it.</summary>
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
}

public enum AttemptOutcome { Absent, Incompatible, NotSharedObject, Unreadable, RejectedFirstPass, Accepted }

/// <summary>One candidate ld would try, and what happened.</summary>
public sealed record SearchAttempt(string Directory, SearchRule Rule, string Candidate, AttemptOutcome Outcome, string? Detail = null)
{
    public string RuleText => Describe(Rule);

    public static string Describe(SearchRule rule) => rule switch
    {
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
        _ => rule.ToString(),
    };
}

/// <summary>A directory on a search list with the rule that put it there.</summary>
public readonly record struct SearchDirectory(string Path, SearchRule Rule, string? Written = null)
{
    /// <summary>The directory as ld spells it in messages (relative -L dirs stay relative).</summary>
    public string Spelling => Written ?? Path;
}
