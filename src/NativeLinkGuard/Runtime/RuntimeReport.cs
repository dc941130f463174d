using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Runtime;

/// <summary>One DT_NEEDED as ld.so resolves it: <c>ldd</c>'s "NAME => PATH" line, with who needs it and why
/// there.</summary>
public sealed record RuntimeLibrary(string Name, string NeededBy, string? Path, string? Rule);

/// <summary>The runtime check of one file: loadable at its deployed location or not, and why.</summary>
public sealed record RuntimeFileReport(
    string Path,
    // No error finding: ld.so maps every dependency (driver libraries, NLG0013, are assumed present where it runs).
    bool Loadable,
    IReadOnlyList<Finding> Findings,
    // Every lookup as ldd shows it (empty when the request leaves them out).
    IReadOnlyList<RuntimeLibrary> Libraries,
    IReadOnlyList<string> Notes);

/// <summary>What the runtime check needs besides the files.</summary>
public sealed record RuntimeRequest
{
    /// <summary>The process's working directory: relative paths and empty search-path elements mean it.</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>LD_LIBRARY_PATH as the deployment sets it (null or "" = unset).</summary>
    public string? LdLibraryPath { get; init; }

    /// <summary>Model the deployment inside this root (its ld.so.cache or ld.so.conf, its system dirs).</summary>
    public string Sysroot { get; init; } = "";

    /// <summary>Where probed ld.so settings are kept across runs (null: probed once per process).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Report every lookup (<see cref="RuntimeFileReport.Libraries"/>); a thousand roots make a
    /// million.</summary>
    public bool IncludeLibraries { get; init; } = true;

    /// <summary>Also look here for a missing library when suggesting fixes.</summary>
    public IReadOnlyList<string> HintDirectories { get; init; } = [];
}
