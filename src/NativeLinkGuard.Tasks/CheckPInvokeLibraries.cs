using Microsoft.Build.Framework;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.PInvoke;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// After Build (on the output directory) and after Publish (on the publish directory): will the .NET runtime load
/// each native library the app imports, from there? A library it will not load is an NLG0016 warning (an error with
/// <see cref="FailOnNotLoadable"/>) with every path tried and the first verified fix.
/// </summary>
public sealed class CheckPInvokeLibraries : NativeLinkGuardTask
{
    /// <summary>The app's main assembly where it lands (the output or the publish directory).</summary>
    [Required]
    public string App { get; set; } = "";

    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>The RID the app runs as when the output has none (default: this machine's).</summary>
    public string RuntimeIdentifier { get; set; } = "";

    /// <summary>LD_LIBRARY_PATH as the deployment sets it (not the build's): empty means unset.</summary>
    public string LdLibraryPath { get; set; } = "";

    /// <summary>Model the deployment machine inside this root (NativeLinkGuardRuntimeSysroot).</summary>
    public string Sysroot { get; set; } = "";

    /// <summary>
    /// Semicolon-separated directories where a library the app misses may be (the build output for a publish).
    /// </summary>
    public string HintDirectories { get; set; } = "";

    /// <summary>NLG0016 as errors.</summary>
    public bool FailOnNotLoadable { get; set; }

    /// <summary>Where probed ld.so settings are kept across builds.</summary>
    public string CacheDirectory { get; set; } = "";

    /// <summary>Optional JSON report (<c>libraries[]</c>).</summary>
    public string ReportFile { get; set; } = "";

    /// <summary>Libraries that will not load.</summary>
    [Output]
    public int NotLoaded { get; private set; }

    protected override void ExecuteCore()
    {
        string app = Path.GetFullPath(Path.Combine(ProjectDirectory, App));
        if (!File.Exists(app)) return; // a library project, or nothing built: no app to check
        var report = PInvokeChecker.Check(app, new PInvokeRequest
        {
            RuntimeIdentifier = RuntimeIdentifier.Length == 0 ? null : RuntimeIdentifier,
            LdLibraryPath = LdLibraryPath.Length == 0 ? null : LdLibraryPath,
            Sysroot = Sysroot,
            WorkingDirectory = Path.GetDirectoryName(app)!,
            CacheDirectory = CacheDirectory.Length == 0 ? null : CacheDirectory,
            HintDirectories = HintDirectories
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(h => Path.GetFullPath(Path.Combine(ProjectDirectory, h)))
                .Where(Directory.Exists).Distinct().ToList(),
            Severity = FailOnNotLoadable ? Severity.Error : Severity.Warning,
        });
        foreach (var f in report.Findings)
        {
            NotLoaded++;
            LogFinding(f.Code, f.Severity, FailOnNotLoadable, OneLineFix.Line("", f), app);
            foreach (var s in f.Searched)
                Log.LogMessage(MessageImportance.Normal, "  tried {0}  [{1}]  {2}", s.Directory, s.Rule, s.Result);
        }
        foreach (var u in report.Unchecked)
        {
            Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: not checked: {0} in {1}: {2}",
                u.Member, u.Assembly, u.Why);
        }
        Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: {0} of {1} P/Invoke librar(ies) of {2} load",
            report.Libraries.Count - NotLoaded, report.Libraries.Count, Path.GetFileName(app));
        if (ReportFile.Length > 0)
        {
            string full = Path.GetFullPath(Path.Combine(ProjectDirectory, ReportFile));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, PInvokeReportWriter.Json(report));
        }
    }
}
