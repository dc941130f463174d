using System.Diagnostics;
using Microsoft.Build.Framework;
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
    /// The links. Identity: the link's output name. Either <c>Command</c> (the link command line as the build runs it,
    /// optional <c>WorkingDirectory</c>), or declarative: <c>Libraries</c> (<c>ggml-cuda;aio;:libfoo.so.1</c>),
    /// <c>LibraryDirectories</c>, <c>Type</c> (<c>exe</c>|<c>shared</c>), optional <c>Compiler</c> (<c>c</c>|<c>c++</c>) —
    /// the task then builds the command from <c>CC</c>/<c>CXX</c> (or <c>cc</c>/<c>c++</c>) and <c>LDFLAGS</c>.
    /// </summary>
    [Required]
    public ITaskItem[] Links { get; set; } = [];

    /// <summary>The project directory: relative working directories and library directories are taken from it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>The build's environment, one item per variable (identity = name, metadata <c>Value</c>). Tasks read no environment themselves.</summary>
    public ITaskItem[] EnvironmentVariables { get; set; } = [];

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

    protected override void ExecuteCore()
    {
        var sw = Stopwatch.StartNew();
        var env = EnvironmentVariables.ToDictionary(i => i.ItemSpec, i => (string?)i.GetMetadata("Value"), StringComparer.Ordinal);
        ShowEnvironment(env);
        var checker = new LinkChecker();
        var reports = new List<LinkReport>();
        foreach (var item in Links)
        {
            var request = NativeLinkRequest.From(item, ProjectDirectory, env, HintDirectories, out string? problem);
            if (request is not null && !string.IsNullOrEmpty(PrivateLinkDirectory))
                request = request with { PrivateLinkDirectory = Path.GetFullPath(Path.Combine(ProjectDirectory, PrivateLinkDirectory)) };
            if (request is null)
            {
                Log.LogWarning(Subcategory, DiagnosticCodes.CheckFailed, null, DocsLink(DiagnosticCodes.CheckFailed),
                    ItemFile(item), 0, 0, 0, 0, "NativeLink '{0}': {1}", item.ItemSpec, problem);
                continue;
            }
            Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: checking {0}: {1}", item.ItemSpec, ShellQuote.Join(request.Command));
            var report = checker.Check(request);
            reports.Add(report);
            LogReport(item, report);
        }
        PredictedFailures = reports.Count(r => r.PredictedOutcome == PredictedOutcome.Fails);
        if (!string.IsNullOrEmpty(ReportFile)) WriteFile(ReportFile, JsonReportWriter.Write(reports));
        if (!string.IsNullOrEmpty(SarifFile)) WriteFile(SarifFile, SarifReportWriter.Write(reports, typeof(CheckNativeLinks).Assembly.GetName().Version?.ToString(3) ?? "0"));
        Log.LogMessage(MessageImportance.High, "NativeLinkGuard: {0} link(s) checked, {1} predicted to fail ({2} ms)", reports.Count, PredictedFailures, sw.ElapsedMilliseconds);
    }

    private void ShowEnvironment(Dictionary<string, string?> env)
    {
        foreach (var name in new[] { "CC", "CXX", "LDFLAGS", "LIBRARY_PATH", "LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH", "CONDA_PREFIX", "CONDA_BUILD_SYSROOT" })
            if (env.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v))
                Log.LogMessage(MessageImportance.Normal, "NativeLinkGuard: {0}={1}", name, v);
    }

    private void LogReport(ITaskItem item, LinkReport report)
    {
        string file = ItemFile(item);
        foreach (var f in report.Findings)
        {
            string fix = f.Suggestions.FirstOrDefault() is { } s
                ? $" Fix: {s.Summary}{(s.Flags.Count > 0 ? " (" + ShellQuote.Join(s.Flags) + ")" : "")}."
                : "";
            string message = $"{item.ItemSpec}: {f.Message}.{fix}";
            bool error = f.Severity == Severity.Error && FailOnPredictedLinkFailure;
            if (error)
                Log.LogError(Subcategory, f.Code, null, f.HelpLink, file, 0, 0, 0, 0, "{0}", message);
            else if (f.Severity == Severity.Info)
                Log.LogMessage(MessageImportance.High, "{0}: {1}", f.Code, message);
            else
                Log.LogWarning(Subcategory, f.Code, null, f.HelpLink, file, 0, 0, 0, 0, "{0}", message);
            // The details a person needs to trust the finding: -v:n and binlogs show them.
            Log.LogMessage(MessageImportance.Normal, "{0}", TextReportWriter.Write(report with { Findings = [f] }));
        }
    }

    /// <summary>The project file that declares the item (where the user fixes it).</summary>
    private string ItemFile(ITaskItem item) =>
        item.GetMetadata("DefiningProjectFullPath") is { Length: > 0 } p ? p : BuildEngine.ProjectFileOfTaskNode;

    private static void WriteFile(string path, string text)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        File.WriteAllText(path, text);
    }
}
