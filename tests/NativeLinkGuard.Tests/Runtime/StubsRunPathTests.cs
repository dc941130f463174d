using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Runtime;

/// <summary>NLG0005 for a prebuilt library whose own run path reaches a CUDA stubs directory (CMake's build RPATH).</summary>
[Category("RequiresCc")]
public sealed class StubsRunPathTests
{
    [Test]
    public void Check_reports_a_linked_library_whose_runpath_is_a_stubs_directory_and_the_patchelf_fix_clears_it()
    {
        Tool.RequireOnPath("gcc", "patchelf");
        using var fx = new LinkFixture();
        fx.SharedLib("cuda/lib64/stubs/libcuda.so", "int cuInit(unsigned f) { return 34; }", "libcuda.so.1");
        fx.SharedLib("build/libggml-cuda.so", "int cuInit(unsigned); int g(void) { return cuInit(0); }", "libggml-cuda.so",
            $"-Wl,--no-as-needed cuda/lib64/stubs/libcuda.so -Wl,-rpath,{fx.P("cuda/lib64/stubs")}:'$ORIGIN'");
        fx.Object("main.o", "int g(void); int main(void) { return g(); }");

        var report = fx.Check(["gcc", "-o", "app", "main.o", "build/libggml-cuda.so"]);
        var f = report.Findings.Single(x => x.Code == "NLG0005");
        Assert.That(f.Message, Does.StartWith($"libggml-cuda.so's DT_RUNPATH {fx.P("cuda/lib64/stubs")} puts a stubs directory"));
        string command = f.Suggestions.Single().Commands!.Single();
        Assert.That(command, Is.EqualTo($"patchelf --set-rpath '$ORIGIN' {fx.P("build/libggml-cuda.so")}"));

        // The runtime check sees the same, and after the suggested patchelf (on the fixture's copy) it is gone.
        var before = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = fx.Root }).Check(fx.P("build/libggml-cuda.so"));
        Assert.That(before.Findings.Select(x => x.Code), Does.Contain("NLG0005"));
        fx.Sh(command);
        var after = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = fx.Root }).Check(fx.P("build/libggml-cuda.so"));
        Assert.That(after.Findings.Select(x => x.Code), Does.Not.Contain("NLG0005"));
        Assert.That(fx.Check(["gcc", "-o", "app", "main.o", "build/libggml-cuda.so"]).Findings.Select(x => x.Code), Does.Not.Contain("NLG0005"));
    }
}
