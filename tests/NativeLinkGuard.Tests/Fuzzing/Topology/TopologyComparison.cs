using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// A link judged by the real linker and by the check (in process, as the differential tests do): outcome, the set
/// of missing libraries, the set of undefined symbols and who references each must agree.
/// </summary>
internal static class TopologyComparison
{
    public sealed record Verdict(string? Disagreement, bool ExcludedIssue15, bool InternalError);

    public static Verdict Compare(World world, LinkCase c, LinkerFlavour flavour)
    {
        var real = ProcessRunner.Run(c.Command[0], c.Command.Skip(1), c.Environment, world.Root, timeoutMs: 60_000);
        LinkReport report;
        try
        {
            report = new LinkChecker().Check(new CheckRequest(c.Command, world.Root, c.Environment));
        }
        catch (Exception e)
        {
            return new Verdict($"internal error: {e}", false, true);
        }
        bool realOk = real.ExitCode == 0;
        bool ours = report.PredictedOutcome == PredictedOutcome.Succeeds;
        var problems = new List<string>();
        if (report.Findings.Any(f => f.Code == DiagnosticCodes.CheckFailed))
            return new Verdict("NLG9001: " + string.Join("; ", report.Findings.Where(f => f.Code == DiagnosticCodes.CheckFailed).Select(f => f.Message)), false, true);
        if (ours != realOk) problems.Add($"outcome: predicted {(ours ? "success" : "failure")}, the linker exited {real.ExitCode}");

        var realMissing = LinkFixture.MissingInStderr(real.StandardError);
        var ourMissing = LinkFixture.Missing(report);
        // lld never searches DT_NEEDED entries, so it names none missing; the check's NLG0002 under lld is issue 15's.
        if (flavour == LinkerFlavour.Lld)
            ourMissing.ExceptWith(report.Findings.Where(f => f.Code == DiagnosticCodes.IndirectDependencyNotFound).Select(f => f.Library));
        if (!realMissing.SetEquals(ourMissing))
            problems.Add($"missing libraries: linker [{string.Join(", ", realMissing)}], ours [{string.Join(", ", ourMissing)}]");

        var realSymbols = LinkFixture.UndefinedSymbols(real.StandardError);
        var symbolFindings = report.Findings.Where(f => f.Symbols is not null).ToList();
        var exact = symbolFindings.Where(f => f.Code != DiagnosticCodes.DsoMissingFromCommandLine).SelectMany(f => f.Symbols!).ToHashSet(StringComparer.Ordinal);
        var dso = symbolFindings.Where(f => f.Code == DiagnosticCodes.DsoMissingFromCommandLine).SelectMany(f => f.Symbols!).ToHashSet(StringComparer.Ordinal);
        // ld stops at the first "DSO missing" symbol: ours must include it, the others must be exactly the linker's.
        var realExact = realSymbols.Where(s => !dso.Contains(s)).ToHashSet(StringComparer.Ordinal);
        if (!realExact.SetEquals(exact) || (dso.Count > 0 && !realSymbols.Any(dso.Contains)))
            problems.Add($"undefined symbols: linker [{string.Join(", ", realSymbols)}], ours [{string.Join(", ", exact.Concat(dso.Select(d => d + " (DSO missing)")))}]");
        // Who references each: the referrer as the linker spells it (so the line "ld will say" is the linker's).
        var realPairs = UndefinedReferences.InStderr(real.StandardError);
        realPairs.RemoveWhere(p => dso.Contains(p[(p.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]));
        var ourPairs = UndefinedReferences.InReport(report);
        if (!realPairs.SetEquals(ourPairs))
            problems.Add($"undefined references: linker [{string.Join(", ", realPairs)}], ours [{string.Join(", ", ourPairs)}]");

        // Each line "ld will say" is a line the linker said (after its program name, or a script's FILE:LINE).
        // ld's two-line form (OBJ: in function `f': / SRC:(.text+0x5): undefined reference to `s') counts as the
        // one line "OBJ: undefined reference to `s'" the check writes (no debug info is read for the location).
        var said = real.StandardError.Split('\n').Concat(UndefinedReferences.InStderr(real.StandardError)
            .Select(p => p.Insert(p.LastIndexOf(": ", StringComparison.Ordinal) + 2, "undefined reference to `") + "'"))
            .ToList();
        // Run-time findings carry ld.so's line, judged by the runtime run against the real loader.
        var unsaid = report.Findings.Where(f => f.LdMessage.Length > 0 && !Said(said, f.LdMessage)
                && f.Code is not (DiagnosticCodes.NotLoadableAtRunTime or DiagnosticCodes.DriverLibraryAtRunTime))
            .Select(f => $"{f.Code} '{f.LdMessage}'").ToList();
        if (unsaid.Count > 0) problems.Add($"ld will say, but the linker did not: {string.Join("; ", unsaid)}");

        if (problems.Count == 0) return new Verdict(null, false, false);
        bool excluded = flavour == LinkerFlavour.Lld && report.Findings.Any(f => f.Code is DiagnosticCodes.IndirectDependencyNotFound or DiagnosticCodes.DirectLibraryNotFound) && realOk;
        string text = $"case {c.Id}: {string.Join("; ", problems)}\n  link: {c.Shell(world)}\n  linker said:\n{Indent(real.StandardError)}\n  findings:\n{Indent(string.Join('\n', report.Findings.Select(f => $"{f.Code} {f.Severity} {f.Message} | will say: {f.LdMessage}")))}";
        return new Verdict(text, excluded, false);
    }

    /// <summary>A line is the message, or ends with it after a prefix (ld's "ld: ", its "ld:FILE:LINE: " form for
    /// scripts, lld's "ld.lld: error: FILE:LINE: ").</summary>
    private static bool Said(List<string> lines, string message) =>
        lines.Any(l => l == message || l.EndsWith(":" + message, StringComparison.Ordinal)
            || l.EndsWith(": " + message, StringComparison.Ordinal));

    private static string Indent(string s) => string.Join('\n', s.TrimEnd().Split('\n').Select(l => "    " + l));
}
