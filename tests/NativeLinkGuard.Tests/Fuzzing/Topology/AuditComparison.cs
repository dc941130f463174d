using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.Audit;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// An audit case judged by the real ldconfig (<c>ldconfig -n -N -X -v</c>, and a writing run on a scratch copy) and
/// by the audit: the SONAME links, "is not a symbolic link", "Cannot stat" and the links it would create or re-point.
/// </summary>
internal static class AuditComparison
{
    public static TopologyComparison.Verdict Compare(AuditCase c)
    {
        var real = LdconfigOracle.Read(c.Dir);
        DirectoryAudit audit;
        try
        {
            audit = DirectoryAuditor.Audit(c.Dir);
        }
        catch (Exception e)
        {
            return new TopologyComparison.Verdict($"case {c.Id}: internal error: {e}", false, true);
        }
        var problems = new List<string>();
        if (audit.Findings.Any(f => f.Code == DiagnosticCodes.CheckFailed)) return new TopologyComparison.Verdict($"case {c.Id}: NLG9001", false, true);
        var ours = audit.SonameLinks.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} -> {kv.Value}");
        var theirs = real.Links.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} -> {kv.Value}");
        if (!ours.SequenceEqual(theirs)) problems.Add($"SONAME links: ldconfig [{string.Join(", ", theirs)}], ours [{string.Join(", ", ours)}]");
        Same(problems, "is not a symbolic link (NLG0004)", real.NotLinks, Libraries(audit, "NLG0004"));
        Same(problems, "Cannot stat (NLG0010)", real.CannotStat, Libraries(audit, "NLG0010"));
        Same(problems, "created or re-pointed (NLG0011)", real.Changed, Libraries(audit, "NLG0011"));
        if (problems.Count == 0) return new TopologyComparison.Verdict(null, false, false);
        return new TopologyComparison.Verdict(($"case {c.Id}: {string.Join("; ", problems)}\n  findings:\n    " +
            string.Join("\n    ", audit.Findings.Select(f => $"{f.Code} {f.Severity} {f.Library}: {f.Message}")) +
            $"\n  directory:\n    {string.Join("\n    ", c.Script)}").Replace(c.Root, "$W"), false, false);
    }

    private static void Same(List<string> problems, string what, SortedSet<string> real, SortedSet<string> ours)
    {
        if (!real.SetEquals(ours)) problems.Add($"{what}: ldconfig [{string.Join(", ", real)}], ours [{string.Join(", ", ours)}]");
    }

    private static SortedSet<string> Libraries(DirectoryAudit audit, string code) =>
        new(audit.Findings.Where(f => f.Code == code && f.Severity != Severity.Info).Select(f => f.Library), StringComparer.Ordinal);
}
