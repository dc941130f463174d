using System.Text;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Reporting;

/// <summary>
/// Text for every link of a build: quiet on success (one summary line), the full report only for links with
/// findings, or for every link when verbose. The JSON report keeps every link.
/// </summary>
public static class BuildReportWriter
{
    public static string Write(IReadOnlyList<LinkReport> reports, TimeSpan elapsed, bool verbose)
    {
        var sb = new StringBuilder();
        foreach (var r in reports.Where(r => verbose || r.Findings.Count > 0))
            sb.Append(TextReportWriter.Write(r, color: false, verbose)).AppendLine();
        int failures = reports.Count(r => r.PredictedOutcome == PredictedOutcome.Fails);
        string verdict = failures == 0 ? "all will link" : $"{failures} will fail";
        sb.AppendLine($"{reports.Count} link{(reports.Count == 1 ? "" : "s")} checked in build order: "
            + $"{verdict} ({elapsed.TotalSeconds:F1} s)");
        return sb.ToString();
    }
}
