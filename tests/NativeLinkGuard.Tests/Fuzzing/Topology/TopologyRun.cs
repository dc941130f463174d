using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// Runs worlds × links on every core: each world (seed) is built once and linked <see cref="LinksPerWorld"/> times.
/// Case ids are "seed:link", so any case replays from its seed (NLG_FUZZ_TOPOLOGY_SEED=seed).
/// </summary>
internal static class TopologyRun
{
    public const int LinksPerWorld = 6;

    public sealed record Result(int Cases, int Excluded, List<string> Disagreements, int InternalErrors, TimeSpan Elapsed);

    public static Result Run(IReadOnlyList<int> seeds, LinkerFlavour flavour, TimeSpan? budget = null)
    {
        var clock = Stopwatch.StartNew();
        var disagreements = new ConcurrentBag<string>();
        int cases = 0, excluded = 0, internalErrors = 0;
        var env = BaseEnvironment();
        _ = ObjectPool.Shared;
        Parallel.ForEach(seeds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) }, (seed, state) =>
        {
            if (budget is { } b && clock.Elapsed > b) { state.Stop(); return; }
            using var world = new World(seed, env, flavour);
            var rng = new Random(seed * 7919 + 1);
            for (int k = 0; k < LinksPerWorld; k++)
            {
                var c = LinkCase.Draw(world, rng, $"{seed}:{k}", flavour);
                var v = TopologyComparison.Compare(world, c, flavour);
                Interlocked.Increment(ref cases);
                if (v.Disagreement is null) continue;
                if (v.InternalError) Interlocked.Increment(ref internalErrors);
                if (v.ExcludedIssue15) { Interlocked.Increment(ref excluded); continue; }
                disagreements.Add($"{v.Disagreement}\n  world:\n    {string.Join("\n    ", world.Script).Replace(world.Root, "$W")}");
            }
        });
        return new Result(cases, excluded, [.. disagreements.OrderBy(d => d, StringComparer.Ordinal)], internalErrors, clock.Elapsed);
    }

    private static Dictionary<string, string?> BaseEnvironment()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env[(string)e.Key] = (string?)e.Value;
        foreach (var v in new[] { "LIBRARY_PATH", "LD_LIBRARY_PATH", "LD_RUN_PATH", "GCC_EXEC_PREFIX", "COMPILER_PATH" }) env.Remove(v);
        env["LC_ALL"] = "C";
        return env;
    }
}
