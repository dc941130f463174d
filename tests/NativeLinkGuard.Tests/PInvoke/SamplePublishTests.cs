using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.PInvoke;

/// <summary>
/// The sample published as the issue did: with the Copy-task mistake the P/Invoke check reports both libraries
/// before the app runs (and the app really dies with DllNotFoundException); shipped as items, it publishes an app
/// that runs and prints its result.
/// </summary>
[Category("EndToEnd")]
[Category("RequiresCc")]
[NonParallelizable]
public sealed class SamplePublishTests
{
    private static string Sample() => Path.Combine(Repository.Root, "samples", "CudaStubsApp");

    private static ProcessResult Dotnet(string cwd, params string[] args)
    {
        var env = new LinkFixture().Environment;
        env["MSBUILDDISABLENODEREUSE"] = "1";
        return ProcessRunner.Run("dotnet", args, env, cwd, timeoutMs: 600_000);
    }

    [Test]
    public void Copy_task_publish_is_reported_before_it_runs_and_the_item_fix_publishes_an_app_that_runs()
    {
        Tool.RequireOnPath("cmake");
        using var tmp = new TempDirectory();
        string broken = Path.Combine(tmp.Path, "broken"), good = Path.Combine(tmp.Path, "good");
        string config = Repository.Configuration;

        var b = Dotnet(Sample(), "publish", "-c", config, "-p:ApplyNativeLinkFix=true", "-p:NativeLibrariesByCopyTask=true", "-o", broken, "--disable-build-servers");
        Assert.That(b.ExitCode, Is.EqualTo(0), b.StandardOutput);
        Assert.That(b.StandardOutput, Does.Contain("warning NLG0016: 'ggml-cuda'"));
        Assert.That(b.StandardOutput, Does.Contain("warning NLG0016: '$(AppContext.BaseDirectory)/fake-driver/libcuda.so.1'"));
        Assert.That(b.StandardOutput, Does.Contain("CopyToPublishDirectory=\"PreserveNewest\""));
        var died = ProcessRunner.Run(Path.Combine(broken, "CudaStubsApp"), [], null, broken);
        Assert.That(died.ExitCode, Is.Not.EqualTo(0));
        Assert.That(died.StandardError, Does.Contain("DllNotFoundException"));

        var g = Dotnet(Sample(), "publish", "-c", config, "-p:ApplyNativeLinkFix=true", "-o", good, "--disable-build-servers");
        Assert.That(g.ExitCode, Is.EqualTo(0), g.StandardOutput);
        Assert.That(g.StandardOutput, Does.Not.Contain("NLG0016"));
        var ran = ProcessRunner.Run(Path.Combine(good, "CudaStubsApp"), [], null, good);
        Assert.That(ran.ExitCode, Is.EqualTo(0), ran.StandardOutput + ran.StandardError);
        Assert.That(ran.StandardOutput, Does.Contain("ggml_cuda_init() = 42"));
    }
}
