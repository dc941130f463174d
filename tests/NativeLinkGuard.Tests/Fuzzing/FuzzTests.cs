namespace NativeLinkGuard.Tests.Fuzzing;

/// <summary>
/// The fuzz smoke (seconds, in every test run) and the long run: <c>NLG_FUZZ_CASES=10000 dotnet test
/// tests/NativeLinkGuard.Tests -c Release --filter Category=Fuzz</c> (11 targets × 10,000 cases; NLG_FUZZ_SECONDS
/// caps each target, NLG_FUZZ_SEED varies the run). A crash, an escaping exception, a broken invariant, a hang or
/// a runaway allocation fails, and the input is saved under NLG_FUZZ_OUT (default /tmp/nlg-fuzz-findings) to be
/// copied into Regressions/TARGET/ as a permanent test.
/// </summary>
[Category("Fuzz")]
internal sealed class FuzzTests
{
    public static IEnumerable<FuzzTarget> Targets() => FuzzTargets.All;

    [TestCaseSource(nameof(Targets))]
    public void Parser_survives_mutated_input(FuzzTarget target)
    {
        var options = FuzzOptions.FromEnvironment();
        var result = FuzzRunner.Run(target, options);
        TestContext.Out.WriteLine($"{target.Name}: {result.Cases} cases from {result.Seeds} seeds in {result.Elapsed.TotalSeconds:F1} s");
        // Every asked-for case runs unless a failure stopped the target or NLG_FUZZ_SECONDS capped it.
        if (result.Failures.Count == 0 && options.Budget == TimeSpan.MaxValue)
            Assert.That(result.Cases, Is.EqualTo(options.Cases), "the smoke must run every case");
        Assert.That(result.Failures, Is.Empty, string.Join("\n\n", result.Failures.Select(f => $"{f.Kind}: {f.Signature}\nsaved: {f.SavedAs}\n{f.Message}")));
    }

    public static IEnumerable<TestCaseData> Regressions()
    {
        string root = Path.Combine(TestSupport.Repository.Root, "tests", "NativeLinkGuard.Tests", "Fuzzing", "Regressions");
        if (!Directory.Exists(root)) yield break;
        foreach (var file in Directory.EnumerateFiles(root, "*.bin", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            yield return new TestCaseData(Path.GetFileName(Path.GetDirectoryName(file)!), file).SetName($"Regression {Path.GetFileName(Path.GetDirectoryName(file))}/{Path.GetFileName(file)}");
    }

    [TestCaseSource(nameof(Regressions))]
    public void Saved_failure_input_stays_fixed(string targetName, string file)
    {
        var target = FuzzTargets.All.Single(t => t.Name == targetName);
        string dir = Path.Combine(Path.GetTempPath(), "nlg-fuzz-regression-" + Guid.NewGuid().ToString("N"));
        try
        {
            var failure = FuzzRunner.RunCase(target, File.ReadAllBytes(file), dir, new FuzzOptions(), out _);
            Assert.That(failure, Is.Null, failure?.Message);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
