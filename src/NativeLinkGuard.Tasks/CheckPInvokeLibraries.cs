using Microsoft.Build.Framework;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.PInvoke;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// After Build (on the output directory) and after Publish (on the publish directory): will the .NET runtime load
/// each native library the app imports, from there? A library it will not load is an NLG0016 warning (an error with
/// <see cref="DeploymentCheckTask.FailOnNotLoadable"/>) with every path tried and the first verified fix.
/// </summary>
public sealed class CheckPInvokeLibraries : DeploymentCheckTask
{
    /// <summary>The app's main assembly where it lands (the output or the publish directory).</summary>
    [Required]
    public string App { get; set; } = "";

    /// <summary>The RID the app runs as when the output has none (default: this machine's).</summary>
    public string RuntimeIdentifier { get; set; } = "";

    /// <summary>Libraries that will not load.</summary>
    [Output]
    public int NotLoaded { get; private set; }

    protected override void ExecuteCore()
    {
        string app = Absolute(App);
        if (!File.Exists(app)) return; // a library project, or nothing built: no app to check
        var report = PInvokeChecker.Check(app, new PInvokeRequest
        {
            RuntimeIdentifier = RuntimeIdentifier.Length == 0 ? null : RuntimeIdentifier,
            LdLibraryPath = LdLibraryPathOrNull,
            Sysroot = Sysroot,
            WorkingDirectory = Path.GetDirectoryName(app)!,
            CacheDirectory = CacheDirectoryOrNull,
            HintDirectories = HintDirectoryPaths().Where(Directory.Exists).Distinct().ToList(),
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
        WriteReport(() => PInvokeReportWriter.Json(report));
    }
}
