using NativeLinkGuard.CMake;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.CMake;

/// <summary>
/// The seed's shape on CMake code (tests/vendor-projects): a vendor library built against a driver stub, installed,
/// and consumed through find_package by a project with three shared libraries and two executables; CUDA_HOME names
/// the toolkit whose lib64/stubs holds only the stub. Whether libogg keeps DT_NEEDED on the driver or is underlinked
/// (an undefined drvInit and no DT_NEEDED), the check, before anything of the consumer is built, predicts exactly the
/// links the real build fails, and its first fix applied makes the real build link every target.
/// </summary>
[Category("RequiresCc")]
[Category("RequiresCMake")]
public sealed class VendorLibraryTests
{
    private static string Projects => Path.Combine(Repository.Root, "tests", "vendor-projects");

    [TestCase(false, "NLG0002")]
    [TestCase(true, "NLG0006")]
    public void Predicted_failures_equal_the_real_builds_and_the_first_fix_links_every_target(bool underlinked, string code)
    {
        Tool.RequireOnPath("gcc", "cmake");
        using var fx = new LinkFixture();
        fx.Write("drv.c", "int drvInit(void) { return 0; }\n");
        fx.Sh("mkdir -p toolkit/lib64/stubs && gcc -shared -fPIC -Wl,-soname,libdrv.so.1 -o toolkit/lib64/stubs/libdrv.so drv.c");
        fx.Sh($"cmake -S {Projects}/ogg -B ogg-build -DDRV_STUB={fx.P("toolkit/lib64/stubs/libdrv.so")} -DOGG_UNDERLINK={(underlinked ? "ON" : "OFF")} " +
              $"-DCMAKE_INSTALL_PREFIX={fx.P("prefix")} > /dev/null && cmake --build ogg-build > /dev/null && cmake --install ogg-build > /dev/null");
        fx.Environment["CUDA_HOME"] = fx.P("toolkit");

        var reports = Check(fx, "build", []);
        var predicted = reports.Where(r => r.PredictedOutcome == PredictedOutcome.Fails).Select(r => r.Target!.Name).Order().ToList();
        Assert.That(predicted, Is.EqualTo(new[] { "decoder_example", "encoder_example" }));
        Assert.That(reports.Where(r => r.PredictedOutcome == PredictedOutcome.Fails).Select(r => r.Findings.Single(f => f.Severity == Severity.Error).Code),
            Has.All.EqualTo(code));
        Assert.That(reports.Where(r => r.PredictedOutcome == PredictedOutcome.Succeeds).SelectMany(r => r.Findings).Where(f => f.Severity != Severity.Info),
            Is.Empty, "no warning on the links that link");

        var real = Build(fx, "build");
        Assert.That(real, Is.EqualTo(predicted), "the real build fails exactly where predicted");

        var fix = reports.First(r => r.PredictedOutcome == PredictedOutcome.Fails).Findings.First(f => f.Severity == Severity.Error).Suggestions[0];
        Assert.That(fix.Quality, Is.EqualTo(SuggestionQuality.Proper));
        fx.Apply(fix, []);
        string flags = string.Join(' ', fix.Flags);
        var after = Check(fx, "fixed", ["-DCMAKE_EXE_LINKER_FLAGS=" + flags, "-DCMAKE_SHARED_LINKER_FLAGS=" + flags]);
        Assert.That(after.Where(r => r.PredictedOutcome == PredictedOutcome.Fails).Select(r => r.Target!.Name), Is.Empty);
        Assert.That(Build(fx, "fixed"), Is.Empty, "with the first fix the real build links all five targets");
    }

    /// <summary>Configured, not built: the product's own loading path, then the checker.</summary>
    private static IReadOnlyList<LinkReport> Check(LinkFixture fx, string build, string[] extra)
    {
        fx.Sh($"mkdir -p {build}/.cmake/api/v1/query && touch {build}/.cmake/api/v1/query/codemodel-v2 {build}/.cmake/api/v1/query/toolchains-v1");
        var r = ProcessRunner.Run("cmake", ["-S", Path.Combine(Projects, "vorbis"), "-B", fx.P(build), "-DCMAKE_PREFIX_PATH=" + fx.P("prefix"), .. extra],
            fx.Environment, fx.Root, timeoutMs: 300_000);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StandardOutput + r.StandardError);
        var loaded = CMakeBuildLoader.Load(fx.P(build), configure: false, fx.Environment, out string? error);
        Assert.That(loaded, Is.Not.Null, error);
        var reports = new CMakeChecker().Check(loaded!.Build, fx.Environment, []);
        Assert.That(reports, Has.Count.EqualTo(5));
        return reports;
    }

    /// <summary>The targets whose output the real keep-going build did not write.</summary>
    private static List<string> Build(LinkFixture fx, string build)
    {
        ProcessRunner.Run("cmake", ["--build", fx.P(build), "--", "-k"], fx.Environment, fx.Root, timeoutMs: 300_000);
        string[] targets = ["libvorbis.so", "libvorbisenc.so", "libvorbisfile.so", "encoder_example", "decoder_example"];
        return targets.Where(t => !File.Exists(Path.Combine(fx.P(build), t))).Order().ToList();
    }
}
