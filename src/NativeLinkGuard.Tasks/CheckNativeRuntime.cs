using Microsoft.Build.Framework;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// After the build: will glibc's ld.so load each native library the project ships, from where it lands in the
/// output (runtimes/&lt;rid&gt;/native/*, .so files copied to the output)? A DT_NEEDED the loader will not find is
/// an NLG0012 warning (an error with <see cref="FailOnNotLoadable"/>) with the chain and the fix; a stubs directory
/// in a run path is NLG0005; a GPU-driver library absent here is NLG0013 information.
/// </summary>
public sealed class CheckNativeRuntime : NativeLinkGuardTask
{
    /// <summary>The shipped libraries, at their deployed paths.</summary>
    public ITaskItem[] Files { get; set; } = [];

    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>LD_LIBRARY_PATH as the deployment sets it (not the build's): empty means unset.</summary>
    public string LdLibraryPath { get; set; } = "";

    /// <summary>Model the deployment inside this root (its ld.so.cache or ld.so.conf and system dirs).</summary>
    public string Sysroot { get; set; } = "";

    /// <summary>Semicolon-separated directories where a missing library may be found, for suggestions.</summary>
    public string HintDirectories { get; set; } = "";

    /// <summary>NLG0012 as errors: the build fails when a shipped library will not load.</summary>
    public bool FailOnNotLoadable { get; set; }

    /// <summary>
    /// Where probed ld.so settings are kept across builds ($XDG_CACHE_HOME or ~/.cache, + nativelinkguard).
    /// </summary>
    public string CacheDirectory { get; set; } = "";

    /// <summary>Optional JSON report (docs/json-schema.md, <c>files[]</c>).</summary>
    public string ReportFile { get; set; } = "";

    /// <summary>Files that will not load.</summary>
    [Output]
    public int NotLoadable { get; private set; }

    protected override void ExecuteCore()
    {
        var checker = new RuntimeChecker(new RuntimeRequest
        {
            WorkingDirectory = ProjectDirectory,
            LdLibraryPath = LdLibraryPath.Length == 0 ? null : LdLibraryPath,
            Sysroot = Sysroot,
            CacheDirectory = CacheDirectory.Length == 0 ? null : CacheDirectory,
            IncludeLibraries = ReportFile.Length > 0,
            HintDirectories = HintDirectories
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(Absolute).ToList(),
        });
        var paths = Files.Select(f => Absolute(f.ItemSpec)).Distinct(StringComparer.Ordinal).ToList();
        var reports = checker.CheckAll(paths);
        foreach (var report in reports)
        {
            if (!report.Loadable) NotLoadable++;
            foreach (var f in report.Findings)
            {
                string line = OneLineFix.Line(Path.GetFileName(report.Path), f);
                LogFinding(f.Code, f.Severity, FailOnNotLoadable, line, report.Path, helpLink: f.HelpLink);
            }
        }
        Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: {0} of {1} shipped native file(s) load",
            reports.Count - NotLoadable, reports.Count);
        if (ReportFile.Length > 0)
        {
            string full = Absolute(ReportFile);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, RuntimeReportWriter.Json(reports));
        }
    }

    private string Absolute(string path) => Path.GetFullPath(Path.Combine(ProjectDirectory, path));
}
