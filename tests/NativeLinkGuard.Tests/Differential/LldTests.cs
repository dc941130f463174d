using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>Issue 7 against lld (ld-rules §9): the same fixtures, linked with -fuse-ld=lld.</summary>
public sealed class LldTests : SymbolDifferentialTestBase
{
    [SetUp]
    public void RequireLld() => Tool.RequireOnPath("ld.lld");

    private void CudaLayout()
    {
        Fx.SharedLib("cuda/lib64/stubs/libcuda.so", "int cuMemCreate(void){return 0;}\n", soname: "libcuda.so.1");
        Fx.SharedLib("build/bin/libggml-cuda.so", "int cuMemCreate(void);\nint ggml_cuda_init(void){return cuMemCreate();}\n", extra: "-Lcuda/lib64/stubs -lcuda");
        Fx.Object("test_dflash.o", "int ggml_cuda_init(void);\nint main(void){return ggml_cuda_init();}\n");
        Fx.Environment["CUDA_HOME"] = Fx.P("cuda");
    }

    [Test]
    public void Cuda_stubs_with_lld_link_silently_and_the_driver_library_is_reported_for_run_time()
    {
        CudaLayout();
        string[] command = Lld("-o", "test_dflash", "test_dflash.o", "-Lbuild/bin", "-lggml-cuda");
        var real = Fx.RealLink(command);
        var report = Fx.Check(command);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(real.Succeeded, Is.True, real.StandardError);
            Assert.That(report.PredictedOutcome, Is.EqualTo(PredictedOutcome.Succeeds));
            // lld says nothing (issue 15): no NLG0002; libcuda.so.1 comes with the GPU driver where the program runs.
            Assert.That(report.Findings.Select(f => (f.Code, f.Severity, f.Library)), Is.EqualTo(new[] { ("NLG0013", Severity.Info, "libcuda.so.1") }));
        }
    }

    [Test]
    public void Cuda_stubs_on_the_command_line_with_lld_check_the_library_and_link()
    {
        CudaLayout();
        AssertSymbolsAgree(Lld("-o", "test_dflash", "test_dflash.o", "-Lbuild/bin", "-lggml-cuda", "-Lcuda/lib64/stubs", "-lcuda"), true, ["NLG0013"]);
    }

    [Test]
    public void Dso_missing_with_lld_is_an_undefined_symbol_and_adding_the_library_fixes_it()
    {
        FooNeedingDepIn();
        Fx.Object("maindep.o", MainUsesDep);
        var report = AssertSymbolsAgree(Lld("-o", "app", "maindep.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"), false, ["NLG0008"]);
        AssertLinkerSaid(report.Findings.Single().LdMessage);
    }

    [Test]
    public void Lld_checks_a_librarys_undefined_symbols_when_all_its_needed_libraries_are_inputs()
    {
        FooNeedingDepIn();
        Fx.SharedLib("empty/libdep.so.1", "int other(void){return 0;}\n", soname: "libdep.so.1");
        var report = AssertSymbolsAgree(Lld("-o", "app", "main.o", "-Lbuild", "-lfoo", "empty/libdep.so.1"), false, ["NLG0006"],
            noFixBecause: "the fix replaces empty/libdep.so.1 on the command line by deps/'s; suggestions only add flags");
        AssertLinkerSaid(report.Findings.Single().LdMessage);
    }

    [Test]
    public void Lld_archives_are_order_independent()
    {
        Fx.Write("src/a1.c", "int a2(void);\nint a1(void){return a2();}\n");
        Fx.Write("src/a2.c", "int a2(void){return 2;}\n");
        Fx.Sh("gcc -c src/a1.c -o a1.o && gcc -c src/a2.c -o a2.o && ar rcs liba1.a a1.o && ar rcs liba2.a a2.o");
        Fx.Object("maina.o", "int a1(void);\nint main(void){return a1()-2;}\n");
        AssertSymbolsAgree(Lld("-o", "app", "maina.o", "-L.", "-la2", "-la1"), true, []);
    }

    [Test]
    public void An_incompatible_library_found_by_minus_l_is_an_lld_error_while_ld_skips_it()
    {
        Tool.RequireOnPath("aarch64-linux-gnu-gcc");
        Fx.SharedLib("arm/libfoo.so", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.SharedLib("x86/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        var lld = Fx.Check(Lld("-o", "app", "main.o", "-Larm", "-Lx86", "-lfoo"));
        var ld = Fx.Check(Gcc("-o", "app", "main.o", "-Larm", "-Lx86", "-lfoo"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lld.Findings.Single().Code, Is.EqualTo("NLG0014"));
            AssertLinkerSaid(lld.Findings.Single().LdMessage, Lld("-o", "app", "main.o", "-Larm", "-Lx86", "-lfoo"));
            AssertLinkerSaid(ld.Findings.Single().LdMessage, Gcc("-o", "app", "main.o", "-Larm", "-Lx86", "-lfoo"));
            Assert.That(lld.PredictedOutcome, Is.EqualTo(PredictedOutcome.Fails));
            Assert.That(ld.Findings.Single().Code, Is.EqualTo("NLG0003"));
            Assert.That(ld.PredictedOutcome, Is.EqualTo(PredictedOutcome.Succeeds));
        }
    }

    [Test]
    public void Lld_is_probed_by_its_version_since_it_has_no_default_script()
    {
        Fx.Object("main.o", "int main(void){return 0;}\n");
        var report = Fx.Check(Lld("-o", "app", "main.o"));
        Assert.That(report.Linker!.Version, Does.Contain("LLD"));
        Assert.That(report.Linker.Target, Is.EqualTo("elf64-x86-64"));
        Assert.That(report.PredictedOutcome, Is.EqualTo(PredictedOutcome.Succeeds));
    }

    [Test]
    public void Lld_checks_symbol_versions_of_a_library_whose_needed_libraries_are_inputs()
    {
        VersionedDependency();
        var report = AssertSymbolsAgree(Lld("-o", "app", "main.o", "-Lbuild", "-lfoo", "old/libdep.so.1"), false, ["NLG0007"],
            noFixBecause: "the fix replaces old/libdep.so.1 on the command line by new/'s; suggestions only add flags");
        AssertLinkerSaid(report.Findings.Single().LdMessage);
    }
}
