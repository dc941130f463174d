using NativeLinkGuard.Audit;
using NativeLinkGuard.PInvoke;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Diagnostics;

/// <summary>How a finding is logged by the MSBuild tasks.</summary>
public enum FindingLevel
{
    /// <summary>Information: a message, never a warning.</summary>
    Message,
    Warning,
    /// <summary>Only with gating: the build fails.</summary>
    Error,
}

/// <summary>
/// Which results make a run fail, for every front end: the CLI's exit code (0 clean, 1 a predicted failure,
/// 2 a usage error or a check that could not run) and the level at which a task logs each finding. A check must
/// never be what breaks a build: only gating (the tasks' <c>FailOn…</c> properties) turns an error into one.
/// </summary>
public static class ExitPolicy
{
    public const int Clean = 0;
    public const int Failed = 1;
    public const int CouldNotRun = 2;

    /// <summary>
    /// check and cmake: 2 when a link could not be checked (NLG9001), 1 when one is predicted to fail.
    /// </summary>
    public static int ForLinks(IEnumerable<LinkReport> reports)
    {
        var list = reports as IReadOnlyCollection<LinkReport> ?? reports.ToList();
        if (list.Any(r => r.Findings.Any(f => f.Code == DiagnosticCodes.CheckFailed))) return CouldNotRun;
        return list.Any(r => r.PredictedOutcome == PredictedOutcome.Fails) ? Failed : Clean;
    }

    /// <summary>runtime: 1 when a file will not load.</summary>
    public static int ForRuntime(IEnumerable<RuntimeFileReport> reports) => ForRuntime(reports.Select(r => r.Loadable));

    /// <summary>runtime, from whether each file loads (reports written as they were made are gone).</summary>
    public static int ForRuntime(IEnumerable<bool> loaded) => loaded.All(l => l) ? Clean : Failed;

    /// <summary>pinvoke: 1 when a library the app imports will not be loaded.</summary>
    public static int ForPInvoke(PInvokeReport report) => report.AllLoad ? Clean : Failed;

    /// <summary>audit: 1 for any finding other than information.</summary>
    public static int ForAudit(IEnumerable<DirectoryAudit> audits) =>
        audits.Any(a => a.Findings.Any(IsProblem)) ? Failed : Clean;

    /// <summary>A finding that is more than information.</summary>
    public static bool IsProblem(Finding f) => f.Severity != Severity.Info;

    /// <summary>
    /// The level a task logs a finding at: information is a message, an error is an error only when the build
    /// gates on it, everything else a warning (which TreatWarningsAsErrors may still promote; see the targets).
    /// </summary>
    public static FindingLevel LevelOf(Severity severity, bool gate) => severity switch
    {
        Severity.Info => FindingLevel.Message,
        Severity.Error when gate => FindingLevel.Error,
        _ => FindingLevel.Warning,
    };
}
