using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// Random link topologies judged by the real linker (issue 16). The smoke (every test run): 50 fixed worlds plus 2
/// fresh ones (seeds printed), 6 links each = 312 cases, all of which must run. The long run:
/// <c>NLG_FUZZ_CASES=10000 dotnet test tests/NativeLinkGuard.Tests -c Release --filter Category=TopologyFuzz</c>
/// (NLG_FUZZ_SEED picks the first seed, NLG_FUZZ_TOPOLOGY_SEED replays one world, NLG_FUZZ_FLAVOURS=ld,lld,aarch64).
/// </summary>
[Category("RequiresCc")]
[Category("TopologyFuzz")]
public sealed class TopologyFuzzTests
{
    private const int FixedWorlds = 50;
    private const int FreshWorlds = 2;

    [SetUp]
    public void RequireTools() => Tool.RequireOnPath("gcc", "aarch64-linux-gnu-gcc");

    [Test]
    public void Random_topologies_agree_with_gnu_ld()
    {
        if (!(Environment.GetEnvironmentVariable("NLG_FUZZ_FLAVOURS") ?? "ld").Split(',').Contains("ld")) Assert.Pass("ld not asked for");
        RunAndAssert(LinkerFlavour.GnuLd);
    }

    [Test]
    public void Random_topologies_agree_with_lld()
    {
        Tool.RequireOnPath("ld.lld");
        RunInLongRun(LinkerFlavour.Lld);
    }

    /// <summary>Link-time comparison only: the aarch64 program cannot run here.</summary>
    [Test]
    public void Random_topologies_agree_with_the_aarch64_cross_ld() => RunInLongRun(LinkerFlavour.CrossLd);

    // Without NLG_FUZZ_CASES (or a replay) only the long run covers lld and the cross ld: the smoke's time goes to GNU ld.
    private static void RunInLongRun(LinkerFlavour flavour)
    {
        if (Environment.GetEnvironmentVariable("NLG_FUZZ_CASES") is null && Environment.GetEnvironmentVariable("NLG_FUZZ_TOPOLOGY_SEED") is null)
            Assert.Pass($"{flavour.Name()} topologies run in the long run (NLG_FUZZ_CASES)");
        if (!(Environment.GetEnvironmentVariable("NLG_FUZZ_FLAVOURS") ?? "ld,lld,aarch64").Split(',').Contains(flavour.Name()))
            Assert.Pass($"{flavour.Name()} not asked for");
        RunAndAssert(flavour);
    }

    private static void RunAndAssert(LinkerFlavour flavour)
    {
        var (seeds, expected, fresh) = Seeds();
        var result = TopologyRun.Run(seeds, flavour);
        TestContext.Out.WriteLine($"{flavour}: {result.Cases} cases from {seeds.Count} worlds (seeds {Describe(seeds, fresh)}) in {result.Elapsed.TotalSeconds:F1} s; " +
            $"{result.Disagreements.Count} disagreement(s), {result.InternalErrors} internal error(s), {result.Excluded} excluded (lld DT_NEEDED, issue 15)");
        Assert.That(result.Cases, Is.EqualTo(expected), "every drawn case must run");
        Assert.That(result.Disagreements, Is.Empty, $"{result.Disagreements.Count} disagreement(s); replay one world with NLG_FUZZ_TOPOLOGY_SEED=SEED:\n\n" + string.Join("\n\n", result.Disagreements.Take(20)));
    }

    /// <summary>Fixed seeds (so a run is reproducible) plus fresh ones (so runs differ), or what the environment asks.</summary>
    private static (List<int> Seeds, int Cases, int Fresh) Seeds()
    {
        if (Environment.GetEnvironmentVariable("NLG_FUZZ_TOPOLOGY_SEED") is { Length: > 0 } one)
        {
            var s = one.Split(',').Select(x => int.Parse(x.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
            return (s, s.Count * TopologyRun.LinksPerWorld, 0);
        }
        int first = int.TryParse(Environment.GetEnvironmentVariable("NLG_FUZZ_SEED"), out var f) ? f : 1;
        int worlds = int.TryParse(Environment.GetEnvironmentVariable("NLG_FUZZ_CASES"), out var n) && n > 0
            ? (n + TopologyRun.LinksPerWorld - 1) / TopologyRun.LinksPerWorld
            : FixedWorlds;
        var seeds = Enumerable.Range(first, worlds).ToList();
        var fresh = new Random();
        for (int i = 0; i < FreshWorlds; i++) seeds.Add(fresh.Next(1_000_000, 100_000_000));
        return (seeds, seeds.Count * TopologyRun.LinksPerWorld, FreshWorlds);
    }

    private static string Describe(List<int> seeds, int fresh) =>
        fresh == 0 ? string.Join(",", seeds) : $"{seeds[0]}..{seeds[^(fresh + 1)]} + fresh {string.Join(",", seeds.TakeLast(fresh))}";
}
