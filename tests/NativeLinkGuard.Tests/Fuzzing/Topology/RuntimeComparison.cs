using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.Runtime;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// A runtime case judged by the real loader (<c>LD_TRACE_LOADED_OBJECTS=1 ld.so FILE</c>) and by the runtime check:
/// every DT_NEEDED resolves to the same path or is missing for both, loadable or not alike, and a fatal error of
/// ld.so is the line the check says ld.so will print.
/// </summary>
internal static class RuntimeComparison
{
    public static TopologyComparison.Verdict Compare(World world, RuntimeCase c)
    {
        var real = LoaderOracle.Trace(c.File, c.LdLibraryPath, world.BaseEnvironment, world.Root);
        RuntimeFileReport report;
        try
        {
            report = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = world.Root, LdLibraryPath = c.LdLibraryPath }).Check(c.File);
        }
        catch (Exception e)
        {
            return new TopologyComparison.Verdict($"case {c.Id}: internal error: {e}\n  load: {c.Shell(world)}", false, true);
        }
        var problems = new List<string>();
        var ours = LoaderOracle.Ours(report, real, world.Root);
        // A fatal error (not ELF, too short) stops ld.so before it prints any mapping: then only the line counts.
        if (real.Error.Length == 0 && !Same(ours, real.Map))
            problems.Add($"libraries: ld.so [{Show(real.Map)}], ours [{Show(ours)}]");
        if (report.Loadable != real.Loadable)
            problems.Add($"loadable: ld.so {real.Loadable} (exit {real.ExitCode}), ours {report.Loadable}");
        if (real.Error.Length > 0 && !report.Findings.Any(f => f.Severity == Severity.Error && f.LdMessage.Length > 0 && real.Error.EndsWith(f.LdMessage, StringComparison.Ordinal)))
            problems.Add("ld.so's fatal error is not the line we say it will print");
        if (problems.Count == 0) return new TopologyComparison.Verdict(null, false, false);
        return new TopologyComparison.Verdict((
            $"case {c.Id}: {string.Join("; ", problems)}\n  load: {c.Shell(world)}\n  ld.so said: {real.Error}\n  findings:\n    " +
            string.Join("\n    ", report.Findings.Select(f => $"{f.Code} {f.Severity} {f.Message} | ld.so will say: {f.LdMessage}"))).Replace(world.Root, "$W"), false, false);
    }

    private static bool Same(Dictionary<string, string?> a, Dictionary<string, string?> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string Show(Dictionary<string, string?> m) => string.Join(", ", m.Select(kv => $"{kv.Key} => {kv.Value ?? "not found"}"));
}
