using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Package;

/// <summary>The README's "run it" sample, built as a user would: it warns before its native build, and the documented fix makes it build and run.</summary>
[Category("EndToEnd")]
[Category("RequiresCc")]
[NonParallelizable]
public sealed class SampleTests
{
    private static string Sample() => Path.Combine(Repository.Root, "samples", "CudaStubsApp");

    private static ProcessResult Dotnet(params string[] args)
    {
        var env = new LinkFixture().Environment;
        env["MSBUILDDISABLENODEREUSE"] = "1";
        return ProcessRunner.Run("dotnet", args, env, Sample(), timeoutMs: 300_000);
    }

    [Test]
    public void Sample_warns_before_its_native_build_and_the_documented_fix_makes_it_build_and_run()
    {
        Tool.RequireOnPath("cmake");
        string config = Repository.Configuration;
        foreach (var d in new[] { "obj", "bin" })
            if (Directory.Exists(Path.Combine(Sample(), d))) Directory.Delete(Path.Combine(Sample(), d), true);

        var broken = Dotnet("build", "-c", config, "--disable-build-servers");
        string output = broken.StandardOutput;
        int warning = output.IndexOf("warning NLG0002", StringComparison.Ordinal);
        int native = output.IndexOf("native build of test_dflash starts", StringComparison.Ordinal);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(broken.ExitCode, Is.Not.EqualTo(0), "the real link fails, as predicted");
            Assert.That(warning, Is.GreaterThanOrEqualTo(0), output);
            Assert.That(warning, Is.LessThan(native), "the prediction comes before the native build");
            Assert.That(output, Does.Contain("-Wl,-rpath-link,"));
            Assert.That(output, Does.Contain("libcuda.so.1, needed by libggml-cuda.so"));
        }

        var fixedBuild = Dotnet("build", "-c", config, "--disable-build-servers", "-p:ApplyNativeLinkFix=true");
        Assert.That(fixedBuild.ExitCode, Is.EqualTo(0), fixedBuild.StandardOutput);
        Assert.That(fixedBuild.StandardOutput, Does.Not.Contain("NLG0002"));
        // After the build, the runtime check of the shipped libggml-cuda.so: CMake's build RPATH to the stubs
        // directory (NLG0005), and libcuda.so.1 expected from the driver where the app runs (NLG0013).
        Assert.That(fixedBuild.StandardOutput, Does.Contain("warning NLG0005: libggml-cuda.so's DT_RUNPATH"));
        Assert.That(fixedBuild.StandardOutput, Does.Contain("NLG0013: libggml-cuda.so: libcuda.so.1, needed by libggml-cuda.so"));
        var run = Dotnet("run", "-c", config, "--no-build");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.StandardOutput + run.StandardError);
        Assert.That(run.StandardOutput, Does.Contain("= 42"));
    }
}
