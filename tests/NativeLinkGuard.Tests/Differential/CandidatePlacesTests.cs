using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// Issue 15: failing links whose library exists where users keep it — next to the needing library's directory, deep
/// in the project tree, behind a dangling symlink, inside the sysroot, in a toolkit directory — with no --hint-dir.
/// For every one the first suggestion is a proper fix, and applied as a user would, the real link succeeds
/// (<see cref="DifferentialTestBase.AssertAgreesWithLd"/> without noFixBecause: every suggestion proper and applied).
/// </summary>
public sealed class CandidatePlacesTests : DifferentialTestBase
{
    private static string[] Lld(params string[] args) => ["gcc", "-fuse-ld=lld", .. args];

    private Suggestion FirstFix(LinkReport report) => report.Findings.First(f => f.Severity == Severity.Error).Suggestions[0];

    [Test]
    public void A_dependency_in_a_sibling_of_the_needing_librarys_directory()
    {
        FooNeedingDepIn();
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
        Assert.That(FirstFix(report).Flags, Is.EqualTo(new[] { "-Wl,-rpath-link," + Fx.P("deps") }));
    }

    [Test]
    public void A_dependency_in_the_lib_subdirectory_of_a_sibling()
    {
        FooNeedingDepIn(depDir: "d3/lib64");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
    }

    [Test]
    public void A_dependency_deep_in_the_project_tree()
    {
        FooNeedingDepIn(depDir: "third_party/dep/1.0/install/lib");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
        Assert.That(FirstFix(report).Why, Does.Contain("project tree"));
    }

    [Test]
    public void A_dependency_behind_a_dangling_soname_link_is_repaired_in_place()
    {
        // libfoo's DT_RUNPATH makes ld search deps/, where libdep.so.1 points at a file that is gone.
        Fx.SharedLib("deps/libdep.so.1.2", Dep, soname: "libdep.so.1");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "deps/libdep.so.1.2 -Wl,-rpath,'$ORIGIN/../deps'");
        Fx.Object("main.o", MainUsesFoo);
        Fx.Sh("ln -s libdep.so.1.0 deps/libdep.so.1");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
        var fix = FirstFix(report);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fix.Flags, Is.Empty, "ld already searches deps/");
            Assert.That(fix.FileOperations!.Single().ToShell(), Is.EqualTo($"ln -sfn libdep.so.1.2 {Fx.P("deps/libdep.so.1")}"));
        }
    }

    [Test]
    public void A_dangling_development_link_for_minus_l_is_repaired_in_place()
    {
        Fx.SharedLib("lib/libbar.so.1.2", "int bar_fn(void){return 0;}\n", soname: "libbar.so.1");
        Fx.Sh("ln -s libbar.so.1 lib/libbar.so");
        Fx.Object("main.o", "int bar_fn(void);\nint main(void){return bar_fn();}\n");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Llib", "-lbar"), expectSuccess: false);
        Assert.That(FirstFix(report).FileOperations!.Single().ToShell(), Is.EqualTo($"ln -sfn libbar.so.1.2 {Fx.P("lib/libbar.so")}"));
    }

    [Test]
    public void A_stub_beside_the_build_tree_gets_a_soname_symlink_and_rpath_link()
    {
        // The CUDA shape without CUDA_HOME: the stub directory is on no search path but sits beside the build tree.
        Fx.SharedLib("cuda/lib64/stubs/libcuda.so", "int cuMemCreate(void){return 0;}\n", soname: "libcuda.so.1");
        Fx.SharedLib("build/bin/libggml-cuda.so", "int cuMemCreate(void);\nint ggml_cuda_init(void){return cuMemCreate();}\n", extra: "-Lcuda/lib64/stubs -lcuda");
        Fx.Object("main.o", "int ggml_cuda_init(void);\nint main(void){return ggml_cuda_init();}\n");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild/bin", "-lggml-cuda"), expectSuccess: false);
        var fix = FirstFix(report);
        Assert.That(fix.Flags.Single(), Does.StartWith("-Wl,-rpath-link,"));
        Assert.That(fix.FileOperations!.Select(o => o.Kind), Does.Contain("symlink"));
    }

    [Test]
    public void A_linker_script_member_kept_beside_the_scripts_directory()
    {
        Fx.SharedLib("impl/lib/libfoo_impl.so.1", Foo, soname: "libfoo_impl.so.1");
        Fx.Write("build/libfoo.so", "/* GNU ld script */\nINPUT ( libfoo_impl.so.1 )\n");
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
        Assert.That(FirstFix(report).Flags, Is.EqualTo(new[] { "-L" + Fx.P("impl/lib") }));
    }

    [Test]
    public void A_toolkit_directory_named_by_cuda_home()
    {
        FooNeedingDepIn(depDir: "toolkit/lib64");
        Fx.Environment["CUDA_HOME"] = Fx.P("toolkit");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
        Assert.That(FirstFix(report).Flags, Is.EqualTo(new[] { "-Wl,-rpath-link," + Fx.P("toolkit/lib64") }));
    }

    [Test]
    public void A_dependency_where_the_programs_origin_run_path_says_it_will_be()
    {
        // ld expands $ORIGIN in a command-line -rpath with the needing library's directory (pkg/a/build/../lib); the
        // user means the program's (dist/bin/../lib), where the library is.
        FooNeedingDepIn(depDir: "dist/lib");
        Directory.CreateDirectory(Fx.P("pkg/a"));
        Directory.Move(Fx.P("build"), Fx.P("pkg/a/build"));
        Directory.CreateDirectory(Fx.P("dist/bin"));
        var report = AssertAgreesWithLd(Gcc("-o", "dist/bin/app", "main.o", "-Lpkg/a/build", "-lfoo", "-Wl,-rpath,$ORIGIN/../lib"), expectSuccess: false);
        Assert.That(FirstFix(report).Why, Does.Contain("(-rpath)"));
    }

    [Test]
    public void A_library_inside_the_sysroot_gets_an_equals_minus_L()
    {
        Directory.CreateDirectory(Fx.P("sysroot/usr/lib"));
        Fx.SharedLib("sysroot/opt/x/lib/libnlgx.so", "int x_fn(void){return 0;}\n");
        Fx.Object("main.o", "int x_fn(void);\nint main(void){return x_fn();}\n");
        var report = AssertAgreesWithLd(Gcc("--sysroot=" + Fx.P("sysroot"), "-o", "app", "main.o", "-lnlgx"), expectSuccess: false);
        Assert.That(FirstFix(report).Flags, Is.EqualTo(new[] { "-L=/opt/x/lib" }));
    }

    [Test]
    public void A_dependency_inside_the_sysroot_is_found_by_its_host_path()
    {
        FooNeedingDepIn(depDir: "sysroot/opt/deps");
        Directory.CreateDirectory(Fx.P("sysroot/usr/lib"));
        AssertAgreesWithLd(Gcc("--sysroot=" + Fx.P("sysroot"), "-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
    }

    [Test]
    public void With_lld_a_library_in_a_sysroot_directory_lld_does_not_search()
    {
        Tool.RequireOnPath("ld.lld");
        Directory.CreateDirectory(Fx.P("sysroot/usr/lib"));
        Fx.SharedLib("sysroot/usr/lib64/libnlgx.so", "int x_fn(void){return 0;}\n");
        Fx.Object("main.o", "int x_fn(void);\nint main(void){return x_fn();}\n");
        string[] command = Lld("--sysroot=" + Fx.P("sysroot"), "-o", "app", "main.o", "-lnlgx");
        var real = Fx.RealLink(command);
        var report = Fx.Check(command);
        Assert.That(real.StandardError, Does.Contain("unable to find library -lnlgx"));
        Assert.That(report.Findings.Single().Code, Is.EqualTo(DiagnosticCodes.DirectLibraryNotFound));
        Assert.That(FirstFix(report).Flags, Is.EqualTo(new[] { "-L=/usr/lib64" }));
        AssertFirstSuggestionFixes(command, report);
    }

    /// <summary>
    /// Direct inputs with both linkers: ld's and lld's messages differ ("cannot find -lbar", "unable to find library
    /// -lbar"), the fix is the same and is applied to the real link of each.
    /// </summary>
    [TestCase("bfd", "sibling")]
    [TestCase("lld", "sibling")]
    [TestCase("bfd", "dangling")]
    [TestCase("lld", "dangling")]
    [TestCase("bfd", "script")]
    [TestCase("lld", "script")]
    public void A_direct_input_kept_where_users_keep_it_is_fixed_for_both_linkers(string linker, string layout)
    {
        if (linker != "bfd") Tool.RequireOnPath("ld.lld");
        Fx.Object("main.o", "int bar_fn(void);\nint main(void){return bar_fn();}\n");
        Directory.CreateDirectory(Fx.P("build"));
        switch (layout)
        {
            case "sibling": Fx.SharedLib("vendor/lib/libbar.so", "int bar_fn(void){return 0;}\n"); break;
            case "dangling":
                Fx.SharedLib("build/libbar.so.1.2", "int bar_fn(void){return 0;}\n", soname: "libbar.so.1");
                Fx.Sh("ln -s libbar.so.1 build/libbar.so");
                break;
            case "script":
                Fx.SharedLib("vendor/lib/libbar_impl.so.1", "int bar_fn(void){return 0;}\n", soname: "libbar_impl.so.1");
                Fx.Write("build/libbar.so", "INPUT ( libbar_impl.so.1 )\n");
                break;
        }
        string[] command = linker == "lld" ? Lld("-o", "app", "main.o", "-Lbuild", "-lbar") : Gcc("-o", "app", "main.o", "-Lbuild", "-lbar");
        var real = Fx.RealLink(command);
        var report = Fx.Check(command);
        Assert.That(real.Succeeded, Is.False, "the scenario itself");
        Assert.That(report.Findings.Where(f => f.Severity == Severity.Error).Select(f => f.Code), Is.EqualTo(new[] { DiagnosticCodes.DirectLibraryNotFound }), real.StandardError);
        AssertFirstSuggestionFixes(command, report);
    }

    [Test]
    public void Nothing_anywhere_says_where_we_looked_and_offers_no_workaround_as_a_fix()
    {
        // libfoo.so was linked against a library that is gone since.
        Fx.SharedLib("gone/libnlgnowhere.so.7", Dep, soname: "libnlgnowhere.so.7");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "gone/libnlgnowhere.so.7");
        Fx.Object("main.o", MainUsesFoo);
        Fx.Sh("rm -r gone");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false, noFixBecause: "the library was deleted: it exists nowhere");
        var f = report.Findings.Single(x => x.Code == DiagnosticCodes.IndirectDependencyNotFound);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(f.Suggestions, Is.Empty, "no 'Fix:' that does not fix");
            Assert.That(f.Notes, Has.Some.Contains("nowhere we looked").And.Some.Contains("--hint-dir").And.Some.Contains("NativeLinkGuardHintDirectories"));
        }
    }

    [Test]
    public void Appended_minus_L_is_placed_by_the_driver_before_its_own_directories()
    {
        // LIBRARY_PATH comes after gcc's own directories, so the system libm wins; an appended -L comes before them.
        Fx.SharedLib("mylibs/libm.so", "int nlg_special(void){return 0;}\n");
        Fx.Object("main.o", "int nlg_special(void);\nint main(void){return nlg_special();}\n");
        Fx.Environment["LIBRARY_PATH"] = Fx.P("mylibs");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-lm"), expectSuccess: false);
        Assert.That(FirstFix(report).Flags, Does.Contain("-L" + Fx.P("mylibs")));
    }
}
