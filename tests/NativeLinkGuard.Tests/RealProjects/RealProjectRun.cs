using System.Diagnostics;
using NativeLinkGuard.CMake;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.RealProjects;

/// <summary>How a real project is configured: the host toolchain, lld, or Debian's aarch64 cross toolchain.</summary>
public enum Flavour { Native, Lld, Aarch64 }

/// <summary>What one check of one configured tree predicted, next to what the real build did.</summary>
public sealed record CheckComparison(string Way, int Links, int Expected, IReadOnlyList<string> Disagreements, IReadOnlyList<string> WarningsOnGoodLinks,
    IReadOnlyList<string> InternalErrors, int PredictedFailures, int RealFailures, long Milliseconds)
{
    public bool Clean => Disagreements.Count == 0 && WarningsOnGoodLinks.Count == 0 && InternalErrors.Count == 0 && Links == Expected;

    public override string ToString() =>
        $"{Way,-28} {Links,3}/{Expected,-3} links  predicted to fail {PredictedFailures,2}  really fail {RealFailures,2}  " +
        $"disagree {Disagreements.Count,2}  warnings on good links {WarningsOnGoodLinks.Count,2}  internal errors {InternalErrors.Count}  {Milliseconds} ms";
}

/// <summary>
/// One project, one flavour, one generator: configure (no File API reply yet), check; re-configure (reply present),
/// check; then the real keep-going build, and each prediction compared with whether the link's output was written.
/// </summary>
public sealed class RealProjectRun(CorpusProject project, string sourceRoot, string workRoot, IReadOnlyDictionary<string, string?> env)
{
    public static IReadOnlyList<string> FlavourFlags(Flavour flavour) => flavour switch
    {
        Flavour.Lld => ["-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld", "-DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld", "-DCMAKE_MODULE_LINKER_FLAGS=-fuse-ld=lld"],
        Flavour.Aarch64 => ["-DCMAKE_SYSTEM_NAME=Linux", "-DCMAKE_SYSTEM_PROCESSOR=aarch64",
            "-DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc", "-DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++"],
        _ => [],
    };

    /// <summary>Null with the reason when the project does not configure in this flavour (the build's own verdict).</summary>
    public IReadOnlyList<CheckComparison>? Run(Flavour flavour, string generator, TextWriter log, out string? notConfigured)
    {
        string build = Path.Combine(workRoot, $"build-{flavour}-{(generator == "Ninja" ? "ninja" : "make")}".ToLowerInvariant());
        string source = project.SourceDirectory is { } dir ? Path.Combine(sourceRoot, dir)
            : Directory.GetDirectories(sourceRoot).Where(d => !Path.GetFileName(d).StartsWith("build-", StringComparison.Ordinal)).Single();
        var configure = new List<string> { "-S", source, "-B", build, "-G", generator, "-DCMAKE_BUILD_TYPE=Release" };
        configure.AddRange(project.ConfigureFlags);
        configure.AddRange(FlavourFlags(flavour));
        var r = ProcessRunner.Run("cmake", configure, env, workRoot, timeoutMs: 600_000);
        if (r.ExitCode != 0)
        {
            notConfigured = LastLines(r.StandardOutput + r.StandardError, 6);
            return null;
        }
        notConfigured = null;
        var first = Check(build, out long firstMs);
        r = ProcessRunner.Run("cmake", [build], env, workRoot, timeoutMs: 600_000);
        Assert.That(r.ExitCode, Is.EqualTo(0), "re-configure: " + r.StandardError);
        var again = Check(build, out long againMs);
        Assert.That(again.Source, Is.EqualTo("CMake File API"), "after re-configuring, the File API reply is read");

        var sw = Stopwatch.StartNew();
        var make = generator == "Ninja" ? new[] { "--build", build, "--", "-k", "0" } : ["--build", build, "--", "-k", "-j2"];
        var built = ProcessRunner.Run("cmake", make, env, workRoot, timeoutMs: 1_800_000);
        log.WriteLine($"  {project.Name} {flavour} {generator}: real build exit {built.ExitCode} in {sw.Elapsed.TotalSeconds:F0} s");
        var linking = again.Build.Targets.Where(t => t.Links).ToList();
        return
        [
            Compare($"{flavour}/{generator}/first run", first.Reports, linking, firstMs),
            Compare($"{flavour}/{generator}/re-configured", again.Reports, linking, againMs),
        ];
    }

    private sealed record Checked(CMakeBuild Build, string Source, IReadOnlyList<LinkReport> Reports);

    /// <summary>Exactly what `nativelinkguard cmake` does: the shared loader, then the checker.</summary>
    private Checked Check(string build, out long ms)
    {
        var sw = Stopwatch.StartNew();
        var loaded = CMakeBuildLoader.Load(build, configure: false, env, out string? error);
        Assert.That(loaded, Is.Not.Null, error);
        var reports = new CMakeChecker().Check(loaded!.Build, env, []);
        ms = sw.ElapsedMilliseconds;
        return new Checked(loaded.Build, loaded.Build.Source, reports);
    }

    /// <summary>
    /// A link really succeeded when its output exists after the keep-going build (every output is absent before it:
    /// the tree was configured fresh). The output's path is the File API's target, not our prediction of it.
    /// </summary>
    private static CheckComparison Compare(string way, IReadOnlyList<LinkReport> reports, List<CMakeTarget> linking, long ms)
    {
        var disagreements = new List<string>();
        var warnings = new List<string>();
        var internalErrors = new List<string>();
        int predicted = 0, real = 0;
        var byName = reports.Where(r => r.Target is not null).GroupBy(r => r.Target!.Name).ToDictionary(g => g.Key, g => g.First());
        foreach (var t in linking)
        {
            bool linked = t.Artifacts.Any(File.Exists);
            if (!linked) real++;
            if (!byName.TryGetValue(t.Name, out var report))
            {
                disagreements.Add($"{t.Name}: not checked");
                continue;
            }
            bool fails = report.PredictedOutcome == PredictedOutcome.Fails;
            if (fails) predicted++;
            foreach (var f in report.Findings.Where(f => f.Code.StartsWith("NLG9", StringComparison.Ordinal)))
                internalErrors.Add($"{t.Name}: {f.Code} {f.Message}");
            if (fails == linked)
                disagreements.Add($"{t.Name}: predicted {(fails ? "to fail" : "to link")}, really {(linked ? "links" : "fails")}: " +
                                  string.Join("; ", report.Findings.Select(f => $"{f.Code} {f.Message}")));
            if (linked)
                warnings.AddRange(report.Findings.Where(f => f.Severity != Severity.Info).Select(f => $"{t.Name}: {f.Code} {f.Message}"));
        }
        return new CheckComparison(way, byName.Keys.Count(n => linking.Any(t => t.Name == n)), linking.Count, disagreements, warnings, internalErrors, predicted, real, ms);
    }

    private static string LastLines(string text, int n) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(n));
}
