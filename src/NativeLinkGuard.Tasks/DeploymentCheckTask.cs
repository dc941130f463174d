using Microsoft.Build.Framework;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// What the two load checks (ld.so's for shipped files, the .NET runtime's for P/Invoke libraries) share: the
/// deployment they model, the gating property, the probe cache and the JSON report.
/// </summary>
public abstract class DeploymentCheckTask : NativeLinkGuardTask
{
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>LD_LIBRARY_PATH as the deployment sets it (not the build's): empty means unset.</summary>
    public string LdLibraryPath { get; set; } = "";

    /// <summary>Model the deployment inside this root (its ld.so.cache or ld.so.conf and system dirs).</summary>
    public string Sysroot { get; set; } = "";

    /// <summary>Semicolon-separated directories where a missing library may be found, for suggestions.</summary>
    public string HintDirectories { get; set; } = "";

    /// <summary>A library that will not load is an error: the build fails.</summary>
    public bool FailOnNotLoadable { get; set; }

    /// <summary>
    /// Where probed ld.so settings are kept across builds ($XDG_CACHE_HOME or ~/.cache, + nativelinkguard).
    /// </summary>
    public string CacheDirectory { get; set; } = "";

    /// <summary>Optional JSON report (docs/json-schema.md).</summary>
    public string ReportFile { get; set; } = "";

    protected string? LdLibraryPathOrNull => LdLibraryPath.Length == 0 ? null : LdLibraryPath;

    protected string? CacheDirectoryOrNull => CacheDirectory.Length == 0 ? null : CacheDirectory;

    /// <summary>The hint directories, absolute (relative ones are the project's).</summary>
    protected List<string> HintDirectoryPaths() => HintDirectories
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(Absolute).ToList();

    /// <summary>Writes the JSON report when <see cref="ReportFile"/> asks for one.</summary>
    protected void WriteReport(Func<string> json)
    {
        if (ReportFile.Length == 0) return;
        string full = Absolute(ReportFile);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, json());
    }

    protected string Absolute(string path) => Path.GetFullPath(Path.Combine(ProjectDirectory, path));
}
