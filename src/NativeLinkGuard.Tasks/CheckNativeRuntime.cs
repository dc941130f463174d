using Microsoft.Build.Framework;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// After the build: will glibc's ld.so load each native library the project ships, from where it lands in the
/// output (runtimes/&lt;rid&gt;/native/*, .so files copied to the output)? A DT_NEEDED the loader will not find is
/// an NLG0012 warning (an error with <see cref="DeploymentCheckTask.FailOnNotLoadable"/>) with the chain and the
/// fix; a stubs directory in a run path is NLG0005; a GPU-driver library absent here is NLG0013 information.
/// </summary>
public sealed class CheckNativeRuntime : DeploymentCheckTask
{
    /// <summary>The shipped libraries, at their deployed paths.</summary>
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>Files that will not load.</summary>
    [Output]
    public int NotLoadable { get; private set; }

    protected override void ExecuteCore()
    {
        var checker = new RuntimeChecker(new RuntimeRequest
        {
            WorkingDirectory = ProjectDirectory,
            LdLibraryPath = LdLibraryPathOrNull,
            Sysroot = Sysroot,
            CacheDirectory = CacheDirectoryOrNull,
            IncludeLibraries = ReportFile.Length > 0,
            HintDirectories = HintDirectoryPaths(),
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
        WriteReport(() => RuntimeReportWriter.Json(reports));
    }
}
