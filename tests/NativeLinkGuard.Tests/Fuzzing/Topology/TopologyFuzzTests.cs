using NativeLinkGuard.Tests.Audit;
using NativeLinkGuard.Tests.Runtime;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// Random link topologies judged by the real linker, produced files by the real loader, library directories by the
/// real ldconfig (issue 16). The smoke (every test run): GNU ld on 50 fixed worlds plus 2 fresh ones (seeds printed),
/// runtime and audit on 3 plus 1, 6 cases each = 360 cases, all of which must run. The long run:
/// <c>NLG_FUZZ_CASES=10000 dotnet test tests/NativeLinkGuard.Tests -c Release --filter Category=TopologyFuzz</c>
/// (NLG_FUZZ_SEED picks the first seed, NLG_FUZZ_TOPOLOGY_SEED replays one world,
/// NLG_FUZZ_FLAVOURS=ld,lld,aarch64,runtime,audit picks the kinds).
/// </summary>
[Category("RequiresCc")]
[Category("TopologyFuzz")]
public sealed class TopologyFuzzTests
{
    [SetUp]
    public void RequireTools() => Tool.RequireOnPath("gcc", "aarch64-linux-gnu-gcc");

    [Test]
    public void Random_topologies_agree_with_gnu_ld() => Run("ld", LinkerFlavour.GnuLd, FuzzMode.Link, fixedWorlds: 50, freshWorlds: 2);

    [Test]
    public void Random_topologies_agree_with_lld()
    {
        Tool.RequireOnPath("ld.lld");
        Run("lld", LinkerFlavour.Lld, FuzzMode.Link, fixedWorlds: 0, freshWorlds: 0);
    }

    /// <summary>Link-time comparison only: the aarch64 program cannot run here.</summary>
    [Test]
    public void Random_topologies_agree_with_the_aarch64_cross_ld() => Run("aarch64", LinkerFlavour.CrossLd, FuzzMode.Link, fixedWorlds: 0, freshWorlds: 0);

    [Test]
    public void Random_programs_and_libraries_load_as_the_real_loader_says()
    {
        Tool.Require(File.Exists(LoaderOracle.Rtld), "needs the x86-64 loader " + LoaderOracle.Rtld);
        Run("runtime", LinkerFlavour.GnuLd, FuzzMode.Runtime, fixedWorlds: 3, freshWorlds: 1);
    }

    [Test]
    public void Random_library_directories_audit_as_ldconfig_says()
    {
        Tool.Require(LdconfigOracle.Exists, "needs " + LdconfigOracle.Program);
        Run("audit", LinkerFlavour.GnuLd, FuzzMode.Audit, fixedWorlds: 3, freshWorlds: 1);
    }

    /// <summary>
    /// The smoke runs the fixed and fresh worlds (lld and the cross ld have none there: the smoke's time goes to GNU
    /// ld); the long run (NLG_FUZZ_CASES) or a replay (NLG_FUZZ_TOPOLOGY_SEED) runs the kinds NLG_FUZZ_FLAVOURS names.
    /// </summary>
    private static void Run(string kind, LinkerFlavour flavour, FuzzMode mode, int fixedWorlds, int freshWorlds)
    {
        bool longRun = Environment.GetEnvironmentVariable("NLG_FUZZ_CASES") is not null || Environment.GetEnvironmentVariable("NLG_FUZZ_TOPOLOGY_SEED") is not null;
        if (longRun && !(Environment.GetEnvironmentVariable("NLG_FUZZ_FLAVOURS") ?? AllKinds).Split(',').Contains(kind)) Assert.Pass($"{kind} not asked for");
        if (!longRun && fixedWorlds == 0) Assert.Pass($"{kind} runs in the long run (NLG_FUZZ_CASES)");
        var (seeds, expected, fresh) = Seeds(fixedWorlds, freshWorlds);
        var result = TopologyRun.Run(seeds, flavour, mode);
        TestContext.Out.WriteLine($"{kind}: {result.Cases} cases from {seeds.Count} worlds (seeds {Describe(seeds, fresh)}) in {result.Elapsed.TotalSeconds:F1} s; " +
            $"{result.Disagreements.Count} disagreement(s), {result.InternalErrors} internal error(s), {result.Excluded} excluded (lld DT_NEEDED, issue 15)");
        Assert.That(result.Cases, Is.EqualTo(expected), "every drawn case must run");
        Assert.That(result.Disagreements, Is.Empty, $"{result.Disagreements.Count} disagreement(s); replay one world with NLG_FUZZ_TOPOLOGY_SEED=SEED:\n\n" + string.Join("\n\n", result.Disagreements.Take(20)));
    }

    private const string AllKinds = "ld,lld,aarch64,runtime,audit";

    /// <summary>Fixed seeds (so a run is reproducible) plus fresh ones (so runs differ), or what the environment asks.</summary>
    private static (List<int> Seeds, int Cases, int Fresh) Seeds(int fixedWorlds, int freshWorlds)
    {
        if (Environment.GetEnvironmentVariable("NLG_FUZZ_TOPOLOGY_SEED") is { Length: > 0 } one)
        {
            var s = one.Split(',').Select(x => int.Parse(x.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
            return (s, s.Count * TopologyRun.LinksPerWorld, 0);
        }
        int first = int.TryParse(Environment.GetEnvironmentVariable("NLG_FUZZ_SEED"), out var f) ? f : 1;
        int worlds = int.TryParse(Environment.GetEnvironmentVariable("NLG_FUZZ_CASES"), out var n) && n > 0
            ? (n + TopologyRun.LinksPerWorld - 1) / TopologyRun.LinksPerWorld
            : fixedWorlds;
        var seeds = Enumerable.Range(first, worlds).ToList();
        var fresh = new Random();
        for (int i = 0; i < freshWorlds; i++) seeds.Add(fresh.Next(1_000_000, 100_000_000));
        return (seeds, seeds.Count * TopologyRun.LinksPerWorld, freshWorlds);
    }

    private static string Describe(List<int> seeds, int fresh)
    {
        var fixedSeeds = seeds.Take(seeds.Count - fresh).ToList();
        string described = fixedSeeds.Count <= 3 ? string.Join(",", fixedSeeds) : $"{fixedSeeds[0]}..{fixedSeeds[^1]}";
        return fresh == 0 ? described : $"{described} + fresh {string.Join(",", seeds.TakeLast(fresh))}";
    }
}
