using System.Diagnostics;
using Microsoft.Build.Framework;
using NativeLinkGuard.CMake;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// Checks the links described by <c>NativeLink</c> items before the native build runs, and logs coded warnings
/// (errors with <see cref="FailOnPredictedLinkFailure"/>) with the suggested flags.
/// </summary>
public sealed class CheckNativeLinks : NativeLinkGuardTask
{
    /// <summary>
    /// The links. Identity: the link's output name. Either <c>Command</c> (the link command line as the build runs it,
    /// optional <c>WorkingDirectory</c>), or declarative: <c>Libraries</c> (<c>ggml-cuda;aio;:libfoo.so.1</c>),
    /// <c>LibraryDirectories</c>, <c>Type</c> (<c>exe</c>|<c>shared</c>), optional <c>Compiler</c> (<c>c</c>|<c>c++</c>) —
    /// the task then builds the command from <c>CC</c>/<c>CXX</c> (or <c>cc</c>/<c>c++</c>) and <c>LDFLAGS</c>.
    /// </summary>
    public ITaskItem[] Links { get; set; } = [];

    /// <summary>The project directory: relative working directories and library directories are taken from it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>The build's environment, one item per variable (identity = name, metadata <c>Value</c>). Tasks read no environment themselves.</summary>
    public ITaskItem[] EnvironmentVariables { get; set; } = [];

    /// <summary>Configured CMake build directories whose every link is checked (File API; see README).</summary>
    public string[] CMakeBuildDirectories { get; set; } = [];

    /// <summary>Extra directories to look in when suggesting fixes.</summary>
    public string[] HintDirectories { get; set; } = [];

    /// <summary>CI gating: a predicted link failure is logged as an error, and the build fails.</summary>
    public bool FailOnPredictedLinkFailure { get; set; }

    /// <summary>Where to write the JSON report (docs/json-schema.md); none when empty.</summary>
    public string? ReportFile { get; set; }

    /// <summary>Where to write a SARIF 2.1.0 log; none when empty.</summary>
    public string? SarifFile { get; set; }

    /// <summary>Where suggested fixes put their symlinks (a directory of the build's own, never a system one).</summary>
    public string? PrivateLinkDirectory { get; set; }

    /// <summary>Links predicted to fail.</summary>
    [Output]
    public int PredictedFailures { get; private set; }

    /// <summary>
    /// The directories holding the shared libraries the checked links use, outside the system directories the
    /// package manager and ldconfig maintain: what <c>NativeLinkGuardAuditLinkDirectories</c> audits.
    /// </summary>
    [Output]
    public ITaskItem[] LibraryDirectories { get; private set; } = [];

    protected override void ExecuteCore()
    {
        var sw = Stopwatch.StartNew();
        var env = EnvironmentVariables.ToDictionary(i => i.ItemSpec, i => (string?)i.GetMetadata("Value"), StringComparer.Ordinal);
        ShowEnvironment(env);
        string? stamp = string.IsNullOrEmpty(ReportFile) ? null : ReportFile + ".stamp";
        string settings = IncrementalStamp.SettingsHash(Settings(env));
        if (stamp is not null && IncrementalStamp.IsUpToDate(stamp, ReportFile!, settings) && LoggedFinding.FromReport(ReportFile!) is { } cached)
        {
            // Nothing the last check depended on changed: replay its findings, so a rebuild hides nothing.
            string file = Links.Length > 0 ? ItemFile(Links[0]) : "";
            foreach (var f in cached) LogFinding(f, file);
            LibraryDirectories = UserDirectories(LoggedFinding.LibrariesFromReport(ReportFile!));
            Log.LogMessage(MessageImportance.High, "NativeLinkGuard: up to date, {0} finding(s) replayed from {1} ({2} ms)", cached.Count, ReportFile, sw.ElapsedMilliseconds);
            return;
        }

        var checker = new LinkChecker();
        var reports = new List<LinkReport>();
        bool complete = true;
        foreach (var item in Links.Where(l => l.GetMetadata("CMakeBuildDirectory").Length == 0))
        {
            var request = NativeLinkRequest.From(item, ProjectDirectory, env, HintDirectories, out string? problem);
            if (request is not null && !string.IsNullOrEmpty(PrivateLinkDirectory))
                request = request with { PrivateLinkDirectory = Path.GetFullPath(Path.Combine(ProjectDirectory, PrivateLinkDirectory)) };
            if (request is null)
            {
                Log.LogWarning(Subcategory, DiagnosticCodes.CheckFailed, null, DocsLink(DiagnosticCodes.CheckFailed),
                    ItemFile(item), 0, 0, 0, 0, "NativeLink '{0}': {1}", item.ItemSpec, problem);
                complete = false;
                continue;
            }
            Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: checking {0}: {1}", item.ItemSpec, ShellQuote.Join(request.Command));
            var report = checker.Check(request);
            reports.Add(report);
            foreach (var f in report.Findings)
            {
                LogFinding(LoggedFinding.From(report, f), ItemFile(item));
                // The details a person needs to trust the finding: -v:n and binlogs show them.
                Log.LogMessage(MessageImportance.Normal, "{0}", TextReportWriter.Write(report with { Findings = [f] }));
            }
        }
        var cmakeDirs = CMakeBuildDirectories.Concat(Links.Select(l => l.GetMetadata("CMakeBuildDirectory")))
            .Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => Path.GetFullPath(Path.Combine(ProjectDirectory, d))).Distinct().ToList();
        var cmake = new CMakeChecker();
        foreach (var dir in cmakeDirs)
        {
            var cmakeReports = cmake.CheckDirectory(dir, env, HintDirectories, out string? error);
            if (cmakeReports is null)
            {
                Log.LogWarning(Subcategory, DiagnosticCodes.CheckFailed, null, DocsLink(DiagnosticCodes.CheckFailed), "", 0, 0, 0, 0, "{0}", error);
                complete = false;
                continue;
            }
            foreach (var report in cmakeReports)
            {
                reports.Add(report);
                foreach (var f in report.Findings)
                {
                    LogFinding(LoggedFinding.From(report, f), report.Target?.CommandSource ?? Path.Combine(dir, "CMakeCache.txt"));
                    Log.LogMessage(MessageImportance.Normal, "{0}", TextReportWriter.Write(report with { Findings = [f] }));
                }
            }
        }
        PredictedFailures = reports.Count(r => r.PredictedOutcome == PredictedOutcome.Fails);
        LibraryDirectories = UserDirectories(reports.SelectMany(r => r.Libraries).Where(l => !l.DroppedByAsNeeded).Select(l => l.Path));
        if (!string.IsNullOrEmpty(ReportFile)) WriteFile(ReportFile, JsonReportWriter.Write(reports));
        if (!string.IsNullOrEmpty(SarifFile)) WriteFile(SarifFile, SarifReportWriter.Write(reports, typeof(CheckNativeLinks).Assembly.GetName().Version?.ToString(3) ?? "0"));
        if (stamp is not null)
        {
            // Only a complete check may be replayed later.
            if (complete) IncrementalStamp.Write(stamp, settings, [.. checker.Dependencies(), .. cmake.Dependencies()]);
            else IncrementalStamp.Delete(stamp);
        }
        Log.LogMessage(MessageImportance.High, "NativeLinkGuard: {0} link(s) checked, {1} predicted to fail ({2} ms)", reports.Count, PredictedFailures, sw.ElapsedMilliseconds);
    }

    /// <summary>Everything a check's result depends on besides the files: items, metadata, environment, options, our own version.</summary>
    private IEnumerable<string> Settings(Dictionary<string, string?> env)
    {
        yield return typeof(CheckNativeLinks).Assembly.ManifestModule.ModuleVersionId.ToString();
        yield return ProjectDirectory;
        foreach (var item in Links)
        {
            yield return item.ItemSpec;
            foreach (var name in item.MetadataNames.Cast<string>().Order(StringComparer.Ordinal))
                yield return name + "=" + item.GetMetadata(name);
        }
        foreach (var (k, v) in env.OrderBy(kv => kv.Key, StringComparer.Ordinal)) yield return k + "=" + v;
        foreach (var h in HintDirectories) yield return "hint=" + h;
        yield return "gate=" + FailOnPredictedLinkFailure;
        yield return "private=" + PrivateLinkDirectory;
        yield return "sarif=" + SarifFile;
        foreach (var d in CMakeBuildDirectories) yield return "cmake=" + d;
    }

    private void LogFinding(LoggedFinding f, string fallbackFile)
    {
        string file = f.File ?? fallbackFile;
        if (f.Severity == "error" && FailOnPredictedLinkFailure)
            Log.LogError(Subcategory, f.Code, null, f.HelpLink, file, f.Line, 0, 0, 0, "{0}", f.Message);
        else if (f.Severity == "info")
            Log.LogMessage(MessageImportance.High, "{0}: {1}", f.Code, f.Message);
        else
            Log.LogWarning(Subcategory, f.Code, null, f.HelpLink, file, f.Line, 0, 0, 0, "{0}", f.Message);
    }

    private void ShowEnvironment(Dictionary<string, string?> env)
    {
        foreach (var name in new[] { "CC", "CXX", "LDFLAGS", "LIBRARY_PATH", "LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH", "CONDA_PREFIX", "CONDA_BUILD_SYSROOT" })
            if (env.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v))
                Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: {0}={1}", name, v);
    }

    /// <summary>The project file that declares the item (where the user fixes it).</summary>
    private string ItemFile(ITaskItem item) =>
        item.GetMetadata("DefiningProjectFullPath") is { Length: > 0 } p ? p : BuildEngine.ProjectFileOfTaskNode;

    private static void WriteFile(string path, string text)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        File.WriteAllText(path, text);
    }

    private static readonly string[] s_systemPrefixes = ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/lib32/", "/usr/lib32/"];

    private static ITaskItem[] UserDirectories(IEnumerable<string> libraryPaths) =>
        libraryPaths.Select(Path.GetDirectoryName).OfType<string>().Where(d => d.Length > 0)
            .Where(d => !s_systemPrefixes.Any(p => (d + "/").StartsWith(p, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(d => (ITaskItem)new Microsoft.Build.Utilities.TaskItem(d)).ToArray();
}
