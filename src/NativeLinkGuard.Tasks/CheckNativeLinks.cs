using System.Diagnostics;
using Microsoft.Build.Framework;
using NativeLinkGuard.CMake;
using NativeLinkGuard.Commands;
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
    /// The links. Identity: the link's output name. Either <c>Command</c> (the link command line as the build runs
    /// it, optional <c>WorkingDirectory</c>), or declarative: <c>Libraries</c> (<c>ggml-cuda;aio;:libfoo.so.1</c>),
    /// <c>LibraryDirectories</c>, <c>Type</c> (<c>exe</c>|<c>shared</c>), optional <c>Compiler</c>
    /// (<c>c</c>|<c>c++</c>) — the core then builds the command from <c>CC</c>/<c>CXX</c> (or <c>cc</c>/<c>c++</c>)
    /// and <c>LDFLAGS</c> (see <see cref="DeclaredLink"/>).
    /// </summary>
    public ITaskItem[] Links { get; set; } = [];

    /// <summary>
    /// The project directory: relative working directories and library directories are taken from it.
    /// </summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>
    /// The build's environment, one item per variable (identity = name, metadata <c>Value</c>). Tasks read no
    /// environment themselves.
    /// </summary>
    public ITaskItem[] EnvironmentVariables { get; set; } = [];

    /// <summary>Configured CMake build directories whose every link is checked (File API; see README).</summary>
    public string[] CMakeBuildDirectories { get; set; } = [];

    /// <summary>Also check the CMake builds configured inside those (ExternalProject, super-builds).</summary>
    public bool CheckNestedCMakeBuilds { get; set; }

    /// <summary>Extra directories to look in when suggesting fixes.</summary>
    public string[] HintDirectories { get; set; } = [];

    /// <summary>CI gating: a predicted link failure is logged as an error, and the build fails.</summary>
    public bool FailOnPredictedLinkFailure { get; set; }

    /// <summary>Where to write the JSON report (docs/json-schema.md); none when empty.</summary>
    public string? ReportFile { get; set; }

    /// <summary>Where to write a SARIF 2.1.0 log; none when empty.</summary>
    public string? SarifFile { get; set; }

    /// <summary>
    /// Where suggested fixes put their symlinks (a directory of the build's own, never a system one).
    /// </summary>
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
        var env = EnvironmentVariables.ToDictionary(
            i => i.ItemSpec, i => (string?)i.GetMetadata("Value"), StringComparer.Ordinal);
        ShowEnvironment(env);
        string? stamp = string.IsNullOrEmpty(ReportFile) ? null : ReportFile + ".stamp";
        string settings = IncrementalStamp.SettingsHash(Settings(env));
        if (stamp is not null && TryReplay(stamp, settings, sw)) return;

        var checker = new LinkChecker();
        var cmake = new CMakeChecker();
        var reports = new List<LinkReport>();
        bool linksComplete = CheckLinks(checker, env, reports);
        bool complete = CheckCMakeBuilds(cmake, env, reports) && linksComplete;
        PredictedFailures = reports.Count(r => r.PredictedOutcome == PredictedOutcome.Fails);
        LibraryDirectories = UserDirectories(
            reports.SelectMany(r => r.Libraries).Where(l => !l.DroppedByAsNeeded).Select(l => l.Path));
        if (!string.IsNullOrEmpty(ReportFile)) WriteFile(ReportFile, JsonReportWriter.Write(reports));
        if (!string.IsNullOrEmpty(SarifFile))
        {
            string version = typeof(CheckNativeLinks).Assembly.GetName().Version?.ToString(3) ?? "0";
            WriteFile(SarifFile, SarifReportWriter.Write(reports, version));
        }
        if (stamp is not null)
        {
            // Only a complete check may be replayed later.
            if (complete) IncrementalStamp.Write(stamp, settings, [.. checker.Dependencies(), .. cmake.Dependencies()]);
            else IncrementalStamp.Delete(stamp);
        }
        Log.LogMessage(MessageImportance.High, "NativeLinkGuard: {0} link(s) checked, {1} predicted to fail ({2} ms)",
            reports.Count, PredictedFailures, sw.ElapsedMilliseconds);
    }

    /// <summary>
    /// Nothing the last check depended on changed: replay its findings from the report, so a rebuild hides nothing.
    /// </summary>
    private bool TryReplay(string stamp, string settings, Stopwatch sw)
    {
        if (!IncrementalStamp.IsUpToDate(stamp, ReportFile!, settings)
            || LoggedFinding.FromReport(ReportFile!) is not { } cached)
        {
            return false;
        }
        string file = Links.Length > 0 ? ItemFile(Links[0]) : "";
        foreach (var f in cached) LogFinding(f, file);
        LibraryDirectories = UserDirectories(LoggedFinding.LibrariesFromReport(ReportFile!));
        Log.LogMessage(MessageImportance.High, "NativeLinkGuard: up to date, {0} finding(s) replayed from {1} ({2} ms)",
            cached.Count, ReportFile, sw.ElapsedMilliseconds);
        return true;
    }

    /// <summary>
    /// The <c>NativeLink</c> items that are links (not CMake build directories); false when one was unusable.
    /// </summary>
    private bool CheckLinks(LinkChecker checker, Dictionary<string, string?> env, List<LinkReport> reports)
    {
        bool complete = true;
        string? privateDir = string.IsNullOrEmpty(PrivateLinkDirectory)
            ? null
            : Path.GetFullPath(Path.Combine(ProjectDirectory, PrivateLinkDirectory));
        foreach (var item in Links.Where(l => l.GetMetadata("CMakeBuildDirectory").Length == 0))
        {
            var request = NativeLinkRequest.From(item)
                .ToRequest(ProjectDirectory, env, HintDirectories, out var problem);
            if (request is null)
            {
                LogCheckFailed(ItemFile(item), $"NativeLink '{item.ItemSpec}': {problem}");
                complete = false;
                continue;
            }
            if (privateDir is not null) request = request with { PrivateLinkDirectory = privateDir };
            Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: checking {0}: {1}",
                item.ItemSpec, ShellQuote.Join(request.Command));
            var report = checker.Check(request);
            reports.Add(report);
            LogReport(report, ItemFile(item));
        }
        return complete;
    }

    /// <summary>Every link of the CMake build directories (and the builds nested in them when asked).</summary>
    private bool CheckCMakeBuilds(CMakeChecker cmake, Dictionary<string, string?> env, List<LinkReport> reports)
    {
        bool complete = true;
        var dirs = CMakeBuildDirectories.Concat(Links.Select(l => l.GetMetadata("CMakeBuildDirectory")))
            .Where(d => !string.IsNullOrWhiteSpace(d))
            .Select(d => Path.GetFullPath(Path.Combine(ProjectDirectory, d))).Distinct().ToList();
        var options = new CMakeCheckOptions { Nested = CheckNestedCMakeBuilds };
        foreach (var dir in dirs)
        {
            var check = cmake.CheckDirectory(dir, options, env, HintDirectories);
            foreach (var note in check.Notes) Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: {0}", note);
            foreach (var problem in check.Problems.Append(check.Error).OfType<string>())
            {
                LogCheckFailed(null, problem);
                complete = false;
            }
            foreach (var report in check.Reports)
            {
                reports.Add(report);
                LogReport(report, Path.Combine(dir, "CMakeCache.txt"));
            }
        }
        return complete;
    }

    private void LogReport(LinkReport report, string fallbackFile)
    {
        foreach (var f in report.Findings)
        {
            LogFinding(LoggedFinding.From(report, f), fallbackFile);
            // The details a person needs to trust the finding: -v:n and binlogs show them.
            Log.LogMessage(MessageImportance.Normal, "{0}", TextReportWriter.Write(report with { Findings = [f] }));
        }
    }

    /// <summary>
    /// Everything a check's result depends on besides the files: items, metadata, environment, options, our own
    /// version.
    /// </summary>
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
        yield return "nested=" + CheckNestedCMakeBuilds;
    }

    private void LogFinding(LoggedFinding f, string fallbackFile) =>
        LogFinding(
            f.Code, f.Severity, FailOnPredictedLinkFailure, f.Message, f.File ?? fallbackFile, f.Line, f.HelpLink);

    private void ShowEnvironment(Dictionary<string, string?> env)
    {
        string[] shown =
        [
            "CC", "CXX", "LDFLAGS", "LIBRARY_PATH", "LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH", "CONDA_PREFIX",
            "CONDA_BUILD_SYSROOT",
        ];
        foreach (var name in shown)
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

    private static readonly string[] s_systemPrefixes =
        ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/lib32/", "/usr/lib32/"];

    private static ITaskItem[] UserDirectories(IEnumerable<string> libraryPaths) =>
        libraryPaths.Select(Path.GetDirectoryName).OfType<string>().Where(d => d.Length > 0)
            .Where(d => !s_systemPrefixes.Any(p => (d + "/").StartsWith(p, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(d => (ITaskItem)new Microsoft.Build.Utilities.TaskItem(d)).ToArray();
}
