using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// One path the runtime tries (or one directory ld.so searches for a bare name), the rule, what is there.
/// </summary>
public sealed record ProbeAttempt(string Path, string Rule, string Result);

/// <summary>
/// One library name as the app asks for it (every member asking the same way shares it): whether the runtime will
/// load it, from where, every path tried, and the candidates that were found but would not load (with the runtime
/// engine's report of each: a missing dependency, another architecture).
/// </summary>
public sealed record PInvokeLibrary(
    string Name,
    ImportKind Kind,
    int? SearchPaths,
    bool AppRelative,
    IReadOnlyList<NativeImport> Importers,
    bool Loads,
    string? LoadedFrom,
    IReadOnlyList<ProbeAttempt> Trace,
    IReadOnlyList<RuntimeFileReport> FailedCandidates);

/// <summary>
/// The P/Invoke check of one app: its layout, each library asked for, the findings, what could not be checked.
/// </summary>
public sealed record PInvokeReport(
    AppLayout Layout,
    IReadOnlyList<PInvokeLibrary> Libraries,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<UncheckedLoad> Unchecked,
    IReadOnlyList<string> Notes,
    long ElapsedMilliseconds)
{
    public bool AllLoad => Libraries.All(l => l.Loads);
}

/// <summary>What the P/Invoke check needs besides the app.</summary>
public sealed record PInvokeRequest
{
    /// <summary>The RID the app is deployed as, for a RID-less build output (default: this machine's).</summary>
    public string? RuntimeIdentifier { get; init; }

    /// <summary>LD_LIBRARY_PATH where the app runs (null or "" = unset).</summary>
    public string? LdLibraryPath { get; init; }

    /// <summary>
    /// Model the deployment machine inside this root (its ld.so.cache or ld.so.conf, its system dirs): another
    /// architecture's libc.
    /// </summary>
    public string Sysroot { get; init; } = "";

    /// <summary>
    /// The app's working directory: names with a '/' and relative to nothing else are opened from there.
    /// </summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>
    /// Where to look for a library that is not where the app will look (the build output of a publish, your native
    /// build).
    /// </summary>
    public IReadOnlyList<string> HintDirectories { get; init; } = [];

    /// <summary>Probed ld.so settings are kept here across runs (null: probed once per process).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// The .NET install whose frameworks a framework-dependent app runs on (default: DOTNET_ROOT, the dotnet on PATH).
    /// </summary>
    public string? DotnetRoot { get; init; }

    /// <summary>The severity of NLG0016 (Error where the build gates on it).</summary>
    public Severity Severity { get; init; } = Severity.Warning;
}
