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

    // Qualifiers of a directory another rule put on the list (see DescribeQualified).

    /// <summary>A hwcaps subdirectory (glibc-hwcaps/x86-64-v3, legacy tls/x86_64) of a directory ld.so searches: it is
    /// tried before the directory itself.</summary>
    HwcapsSubdirectory,
    /// <summary>A directory inside the sysroot: ld's <c>=DIR</c> and <c>$SYSROOT/DIR</c> (-L, SEARCH_DIR, script
    /// members) and the absolute -rpath and DT_RUNPATH/DT_RPATH elements it prefixes (ld-rules §2.1, §4.3).</summary>
    Sysroot,
}

public enum AttemptOutcome { Absent, Incompatible, NotSharedObject, Unreadable, RejectedFirstPass, Accepted }

/// <summary>One candidate ld would try, and what happened.</summary>
public sealed record SearchAttempt(string Directory, SearchRule Rule, string Candidate, AttemptOutcome Outcome,
    string? Detail = null)
{
    /// <summary>The directory is RULE's element with the sysroot prefixed (<see cref="SearchRule.Sysroot"/>).</summary>
    public bool InSysroot { get; init; }

    public string RuleText => DescribeQualified(Rule, null, InSysroot);

    /// <summary>RULE's wording with its qualifiers: the sysroot was prefixed; HWCAPS, the hwcaps subdirectory the
    /// candidate is in.</summary>
    public static string DescribeQualified(SearchRule rule, string? owner, bool inSysroot, string? hwcaps = null) =>
        Describe(rule, owner) + (hwcaps is null ? "" : $", {Describe(SearchRule.HwcapsSubdirectory)} {hwcaps}")
        + (inSysroot ? ", " + Describe(SearchRule.Sysroot) : "");

    /// <summary>The one wording of every rule. OWNER: the object whose DT_RUNPATH/DT_RPATH it is, when known (ld.so
    /// names it: "DT_RPATH of libtop.so"; ld's messages speak of "the needing library"), or the ld.so.cache file
    /// read.</summary>
    public static string Describe(SearchRule rule, string? owner = null) => rule switch
    {
        SearchRule.Runpath when owner is not null => "DT_RUNPATH of " + owner,
        SearchRule.DtRpath when owner is not null => "DT_RPATH of " + owner,
        SearchRule.LdSoCache when owner is not null => owner,
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
        SearchRule.HwcapsSubdirectory => "hwcaps subdirectory",
        SearchRule.Sysroot => "inside the sysroot",
        _ => rule.ToString(),
    };
}

/// <summary>A directory on a search list with the rule that put it there.</summary>
public readonly record struct SearchDirectory(string Path, SearchRule Rule, string? Written = null)
{
    /// <summary>ld prefixed the sysroot to the element (<see cref="SearchRule.Sysroot"/>).</summary>
    public bool InSysroot { get; init; }

    /// <summary>Trying CANDIDATE in this directory.</summary>
    public SearchAttempt Attempt(string candidate, AttemptOutcome outcome, string? detail = null) =>
        new(Path, Rule, candidate, outcome, detail) { InSysroot = InSysroot };

    /// <summary>The directory as ld spells it in messages (relative -L dirs stay relative).</summary>
    public string Spelling => Written ?? Path;
}
