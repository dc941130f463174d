using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>What a case compares: a link with the real linker, a produced file's load with the real loader, a library
/// directory's audit with the real ldconfig.</summary>
public enum FuzzMode { Link, Runtime, Audit }

/// <summary>
/// Runs worlds × links on every core: each world (seed) is built once and linked (or loaded, or audited: one directory per case) <see cref="LinksPerWorld"/> times.
/// Case ids are "seed:link", so any case replays from its seed (NLG_FUZZ_TOPOLOGY_SEED=seed).
/// </summary>
internal static class TopologyRun
{
    public const int LinksPerWorld = 6;

    public sealed record Result(int Cases, int Excluded, List<string> Disagreements, int InternalErrors, TimeSpan Elapsed);

    public static Result Run(IReadOnlyList<int> seeds, LinkerFlavour flavour, FuzzMode mode = FuzzMode.Link)
    {
        var clock = Stopwatch.StartNew();
        var disagreements = new ConcurrentBag<string>();
        int cases = 0, excluded = 0, internalErrors = 0;
        var env = BaseEnvironment();
        _ = ObjectPool.Shared;
        void Count(TopologyComparison.Verdict v, Func<string> script)
        {
            Interlocked.Increment(ref cases);
            if (v.Disagreement is null) return;
            if (v.InternalError) Interlocked.Increment(ref internalErrors);
            if (v.ExcludedIssue15) { Interlocked.Increment(ref excluded); return; }
            disagreements.Add(v.Disagreement + script());
        }
        Parallel.ForEach(seeds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) }, seed =>
        {
            var rng = new Random(seed * 7919 + 1);
            if (mode == FuzzMode.Audit)
            {
                for (int k = 0; k < LinksPerWorld; k++)
                {
                    using var dir = new AuditCase($"{seed}:{k}", rng);
                    Count(AuditComparison.Compare(dir), () => "");
                }
                return;
            }
            using var world = new World(seed, env, flavour, extended: mode == FuzzMode.Link);
            string Script() => $"\n  world:\n    {string.Join("\n    ", world.Script).Replace(world.Root, "$W")}";
            for (int k = 0; k < LinksPerWorld; k++)
            {
                if (mode == FuzzMode.Runtime)
                    Count(RuntimeComparison.Compare(world, RuntimeCase.Draw(world, rng, $"{seed}:{k}", k)), Script);
                else
                    Count(TopologyComparison.Compare(world, LinkCase.Draw(world, rng, $"{seed}:{k}", flavour), flavour), Script);
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
