using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>The three failures from the brief, reproduced with tiny fixtures.</summary>
public sealed class RealCasesTests : DifferentialTestBase
{
    private const string CudaStub = "int cuMemCreate(void){return 0;}\nint cuMemMap(void){return 0;}\n";
    private const string GgmlCuda = "int cuMemCreate(void); int cuMemMap(void);\nint ggml_cuda_init(void){return cuMemCreate()+cuMemMap();}\n";
    private const string TestDflash = "int ggml_cuda_init(void);\nint main(void){return ggml_cuda_init();}\n";

    private void CudaLayout()
    {
        // The driver stub: file libcuda.so, SONAME libcuda.so.1, and no file named libcuda.so.1.
        Fx.SharedLib("cuda/lib64/stubs/libcuda.so", CudaStub, soname: "libcuda.so.1");
        Fx.SharedLib("build/bin/libggml-cuda.so", GgmlCuda, extra: "-Lcuda/lib64/stubs -lcuda");
        Fx.Object("test_dflash.o", TestDflash);
    }

    [Test]
    public void Cuda_stub_with_another_file_name_is_invisible_and_the_symlink_plus_rpath_link_fix_works()
    {
        CudaLayout();
        Fx.Environment["CUDA_HOME"] = Fx.P("cuda");
        var report = AssertAgreesWithLd(Gcc("-o", "test_dflash", "test_dflash.o", "-Lbuild/bin", "-lggml-cuda"), expectSuccess: false);
        var f = report.Findings.Single(f => f.Code == "NLG0002");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(f.Code, Is.EqualTo("NLG0002"));
            Assert.That(f.Chain, Is.EqualTo(new[] { "test_dflash", "libggml-cuda.so", "libcuda.so.1" }));
            AssertLinkerSaid(f.LdMessage);
            Assert.That(f.Suggestions[0].FileOperations!.Select(o => o.Kind), Is.EqualTo(new[] { "mkdir", "symlink" }));
            Assert.That(f.Suggestions.Where(s => s.Flags.Any(x => x.Contains("-rpath,") && x.Contains("stubs"))), Is.Empty, "never a stubs dir in a run-time -rpath");
        }
    }

    [Test]
    public void Cuda_stub_added_to_the_command_line_is_the_second_fix_and_works_too()
    {
        CudaLayout();
        Fx.Environment["CUDA_HOME"] = Fx.P("cuda");
        string[] command = Gcc("-o", "test_dflash", "test_dflash.o", "-Lbuild/bin", "-lggml-cuda");
        var report = Fx.Check(command);
        var second = report.Findings.Single(f => f.Code == "NLG0002").Suggestions[1];
        Assert.That(second.Flags, Is.EqualTo(new[] { "-L" + Fx.P("cuda/lib64/stubs"), "-lcuda" }));
        var (fixedCommand, env) = Fx.Apply(second, command);
        Assert.That(Fx.RealLink(fixedCommand, env).Succeeded, Is.True);
    }

    [Test]
    public void Library_path_to_the_stubs_does_not_help_the_cuda_case()
    {
        CudaLayout();
        Fx.Environment["LIBRARY_PATH"] = Fx.P("cuda/lib64/stubs");
        var report = AssertAgreesWithLd(Gcc("-o", "test_dflash", "test_dflash.o", "-Lbuild/bin", "-lggml-cuda"), expectSuccess: false);
        Assert.That(report.Findings.Single(f => f.Code == "NLG0002").Notes, Has.Some.Contains("never searches LIBRARY_PATH"));
    }

    [Test]
    public void A_stubs_directory_in_the_run_time_path_is_NLG0005_while_ld_links_fine()
    {
        CudaLayout();
        string[] command = Gcc("-shared", "-fPIC", "-o", "libmine.so", "test_dflash.o", "-Lcuda/lib64/stubs", "-lcuda", "-Wl,-rpath," + Fx.P("cuda/lib64/stubs"));
        var report = AssertAgreesWithLd(command, expectSuccess: true);
        var f = report.Findings.Single();
        Assert.That((f.Code, f.Severity), Is.EqualTo(("NLG0005", Severity.Warning)));
        Assert.That(f.Suggestions[0].Summary, Does.Contain("-lcuda").And.Contain("-rpath-link"));
    }

    [Test]
    public void Text_output_shows_chain_searched_directories_and_the_symlink_fix()
    {
        CudaLayout();
        Fx.Environment["CUDA_HOME"] = Fx.P("cuda");
        string text = TextReportWriter.Write(Fx.Check(Gcc("-o", "test_dflash", "test_dflash.o", "-Lbuild/bin", "-lggml-cuda")));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Contain("chain: test_dflash → libggml-cuda.so → libcuda.so.1"));
            Assert.That(text, Does.Contain("[SEARCH_DIR (linker default)]"));
            Assert.That(text, Does.Contain($"$ ln -sfn {Fx.P("cuda/lib64/stubs/libcuda.so")} {Fx.P(".nativelinkguard/lib/libcuda.so.1")}"));
            Assert.That(text, Does.Contain($"add: -Wl,-rpath-link,{Fx.P(".nativelinkguard/lib")}"));
        }
    }

    [Test]
    public void Conda_style_sysroot_hides_a_host_library_and_an_absolute_minus_L_fixes_it()
    {
        // gcc --sysroot=S: ld's defaults become S/…; the library sits in a host directory outside S.
        Directory.CreateDirectory(Fx.P("sysroot/usr/lib"));
        Fx.SharedLib("host/lib/x86_64-linux-gnu/libnlgaio.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("--sysroot=" + Fx.P("sysroot"), "-o", "app", "main.o", "-lnlgaio"), expectSuccess: false,
            hints: ["host/lib/x86_64-linux-gnu"]);
        Assert.That(report.Findings.Single().Suggestions.Select(s => s.Summary), Has.Some.Contains("copy libnlgaio.so into the sysroot"));
        // ld prefixes its =-SEARCH_DIRs with the sysroot, and the search trace says so; gcc's -L dirs are verbatim.
        var searched = report.Findings.Single().Searched;
        Assert.That(searched.Where(s => s.Rule.StartsWith("SEARCH_DIR", StringComparison.Ordinal)), Is.Not.Empty
            .And.All.Matches<SearchedDirectory>(s => s.Rule == "SEARCH_DIR (linker default), inside the sysroot"
                && s.Directory.StartsWith(Fx.P("sysroot") + "/", StringComparison.Ordinal)));
        Assert.That(searched.Where(s => s.Rule.StartsWith("-L", StringComparison.Ordinal)),
            Has.None.Matches<SearchedDirectory>(s => s.Rule.Contains("sysroot")));
    }

    [Test]
    public void Conda_style_sysroot_copy_into_the_sysroot_also_fixes_it()
    {
        Directory.CreateDirectory(Fx.P("sysroot/usr/lib"));
        Fx.SharedLib("host/lib/x86_64-linux-gnu/libnlgaio.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        string[] command = Gcc("--sysroot=" + Fx.P("sysroot"), "-o", "app", "main.o", "-lnlgaio");
        var copy = Fx.Check(command, Fx.P("host/lib/x86_64-linux-gnu")).Findings.Single().Suggestions.Single(s => s.FileOperations?.Any(o => o.Kind == "copy") == true);
        var (fixedCommand, env) = Fx.Apply(copy, command);
        Assert.That(Fx.RealLink(fixedCommand, env).Succeeded, Is.True);
        Assert.That(Fx.Check(fixedCommand).PredictedOutcome, Is.EqualTo(global::NativeLinkGuard.Diagnostics.PredictedOutcome.Succeeds));
    }
}

/// <summary>The built-in model (no toolchain run) on the CUDA case still agrees with the real ld.</summary>
public sealed class BuiltInModelTests : DifferentialTestBase
{
    [Test]
    public void Built_in_model_predicts_the_cuda_stub_failure_and_its_fix()
    {
        Fx.SharedLib("stubs/libcuda.so", "int cuMemCreate(void){return 0;}\n", soname: "libcuda.so.1");
        Fx.SharedLib("build/libggml-cuda.so", "int cuMemCreate(void);\nint g(void){return cuMemCreate();}\n", extra: "-Lstubs -lcuda");
        Fx.Object("main.o", "int g(void);\nint main(void){return g();}\n");
        string[] command = Gcc("-o", "app", "main.o", "-Lbuild", "-lggml-cuda");
        var real = Fx.RealLink(command);
        var report = new LinkChecker().Check(new CheckRequest(command, Fx.Root, Fx.Environment, [Fx.P("stubs")], BuiltInModel: true));
        Assert.That(real.Succeeded, Is.False);
        Assert.That(report.PredictedOutcome, Is.EqualTo(global::NativeLinkGuard.Diagnostics.PredictedOutcome.Fails));
        Assert.That(LinkFixture.Missing(report), Is.EqualTo(real.Missing));
        Assert.That(report.Linker!.Probed, Is.False);
        AssertFirstSuggestionFixes(command, report);
    }
}
