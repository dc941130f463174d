using NativeLinkGuard.Commands;

namespace NativeLinkGuard.Resolution;

/// <summary>What the resolver found wrong, before diagnosis turns it into coded findings with fixes.</summary>
public abstract record LinkProblem;

/// <summary>ld: <c>cannot find -lfoo: No such file or directory</c> (also files and script members).</summary>
public sealed record InputNotFound(LinkInput Input, IReadOnlyList<SearchAttempt> Attempts, string? Script = null)
    : LinkProblem
{
    /// <summary>The system error ld prints after the name: its last attempt's (a script member that exists for
    /// another target: "file in wrong format", "file format not recognized").</summary>
    public string Error { get; init; } = "No such file or directory";

    /// <summary>The script as the linker opened it (lld names it with the member's line).</summary>
    public string? ScriptSpelling { get; init; }
}

/// <summary>ld: <c>NAME, needed by BY, not found (try using -rpath or -rpath-link)</c>.</summary>
public sealed record NeededNotFound(string Name, ResolvedLibrary By, IReadOnlyList<SearchAttempt> Attempts)
    : LinkProblem
{
    /// <summary>The link fails because of it: references it would have resolved stay undefined (or symbols were not
    /// checked).</summary>
    public bool Consequential { get; init; } = true;

    /// <summary>The symbol stage ran, so <see cref="Consequential"/> rests on symbols rather than on the file-level
    /// rule.</summary>
    public bool SymbolsChecked { get; init; }

    /// <summary>lld: the name is simply not an input (lld never searches); the link goes on without checking BY's
    /// symbols.</summary>
    public bool Lld { get; init; }

    /// <summary>How many libraries ld had loaded when this search failed (its place in the walk).</summary>
    public int LoadedBefore { get; init; }
}

/// <summary>ld: <c>skipping incompatible FILE when searching for -lNAME</c>.</summary>
public sealed record IncompatibleSkipped(LinkInput Input, string Path, string FileTarget, string LinkTarget)
    : LinkProblem;

/// <summary>An input ld opens but cannot use: wrong format, malformed ELF, a dynamic object in a static link, a script
/// error.</summary>
public sealed record InputUnusable(LinkInput Input, string Path, string Reason) : LinkProblem
{
    /// <summary>lld's error for an incompatible candidate found by -l (ld skips it instead).</summary>
    public bool Lld { get; init; }

    /// <summary>The linker's wording is not modelled: no line is predicted (lld's errors for most broken
    /// scripts).</summary>
    public bool Unworded { get; init; }

    /// <summary>What we know beyond ld's own words (kept out of the line ld prints).</summary>
    public string? Detail { get; init; }

    /// <summary>The input is for another target. lld says so only after it collected every input without an
    /// error (it checks compatibility when it parses the files).</summary>
    public bool WrongTarget { get; init; }

    /// <summary>GNU ld stops there (opens no further input); false for a dynamic object met in a -static link
    /// after -Bdynamic, an error ld reports and goes on.</summary>
    public bool Fatal { get; init; } = true;
}
