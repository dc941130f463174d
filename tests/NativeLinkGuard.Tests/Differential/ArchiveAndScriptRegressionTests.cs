using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// Disagreements the random topology run found once it drew archives, -Bstatic spans and linker scripts (issue 16),
/// each shrunk to its rule and checked against the real ld and lld.
/// </summary>
public sealed class ArchiveAndScriptRegressionTests : SymbolDifferentialTestBase
{
    [Test]
    public void Minus_l_colon_naming_a_shared_object_under_bstatic_is_a_static_link_of_a_dynamic_object()
    {
        // -lfoo under -Bstatic only tries libfoo.a, but -l:libfoo.so takes the file it names: ld stops with
        // "attempted static link of dynamic object" (random case 12:1), so the later missing input is never reported.
        Fx.SharedLib("build/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        string[] link = ["-o", "app", "main.o", "-Lbuild", "-Wl,-Bstatic", "-l:libfoo.so", "-Wl,-Bdynamic", "-lnlgnothere"];
        var report = AssertAgreesWithLd(Gcc(link), expectSuccess: false,
            noFixBecause: "no libnlgnothere exists anywhere, and only the build knows whether libfoo is wanted static");
        Assert.That(report.Findings.Select(f => f.Code), Is.EqualTo(new[] { "NLG0014" }));
        AssertLinkerSaid(report.Findings[0].LdMessage);
        // The same in a script member (random case 13:0): GROUP ( -l:libfoo.so ) read under -Bstatic.
        Fx.Write("s/libs.so", "GROUP ( -l:libfoo.so )\n");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-Wl,-Bstatic", "s/libs.so", "-Wl,-Bdynamic"),
            expectSuccess: false, noFixBecause: "only the build knows whether libfoo is wanted static");
        // lld rejects it too, and goes on to report the missing input.
        Tool.RequireOnPath("ld.lld");
        AssertAgreesWithLd(Lld(link), expectSuccess: false, noFixBecause: "no libnlgnothere exists anywhere");
    }

    [Test]
    public void Only_the_first_archive_member_that_defines_a_symbol_is_pulled()
    {
        // Random case 1100078:4: libfoo.a holds x.o (defines foo_fn) then y.o (defines foo_fn and calls nlg_nowhere).
        // ld pulls x.o for foo_fn and never y.o, so nlg_nowhere is no undefined reference; put y.o first and it is.
        Fx.Object("x.o", Foo);
        Fx.Object("y.o", "int nlg_nowhere(void);\nint foo_fn(void){return nlg_nowhere();}\n");
        Fx.Object("main.o", MainUsesFoo);
        Fx.Sh("mkdir -p a b && ar rcs a/libfoo.a x.o y.o && ar rcs b/libfoo.a y.o x.o");
        AssertSymbolsAgree(Gcc("-o", "app", "main.o", "a/libfoo.a"), expectSuccess: true, []);
        AssertSymbolsAgree(Gcc("-o", "app", "main.o", "b/libfoo.a"), expectSuccess: false, ["NLG0006"],
            noFixBecause: "nlg_nowhere is defined nowhere");
    }

    [Test]
    public void After_static_then_bdynamic_ld_still_walks_the_dt_needed_of_the_dynamic_objects_it_rejects()
    {
        // Random case 1100066:0: -static ... -Wl,-Bdynamic build/libfoo.so: ld says "attempted static link of
        // dynamic object" without stopping, and still warns that libfoo's DT_NEEDED libnlgdep.so.1 is not found.
        Fx.SharedLib("deps/libnlgdep.so.1", "int dep_fn(void){return 1;}\n", soname: "libnlgdep.so.1");
        Fx.SharedLib("build/libfoo.so", "int dep_fn(void);\nint foo_fn(void){return dep_fn();}\n",
            extra: "-Wl,--no-as-needed deps/libnlgdep.so.1");
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-static", "-Wl,-Bdynamic", "build/libfoo.so"),
            expectSuccess: false, noFixBecause: "a static program cannot take a shared library; only the build knows "
                + "which one it wants");
        var real = Fx.RealLink(Gcc("-o", "app", "main.o", "-static", "-Wl,-Bdynamic", "build/libfoo.so"));
        Assert.That(real.StandardError, Does.Contain("libnlgdep.so.1, needed by build/libfoo.so, not found"),
            "the real ld walks the DT_NEEDED entries");
        Assert.That(report.Findings.Select(f => f.Code), Does.Contain("NLG0002"));
    }

    [Test]
    public void The_end_of_a_group_stops_ld_once_an_input_was_missing()
    {
        // open_input_bfds ends every group (a script's GROUP, --start-group/--end-group) with "exit if any file was
        // missing" (random cases 30:3, 44:3): later inputs are never opened nor reported. A script's INPUT list is no
        // group, so ld goes on after it.
        Fx.SharedLib("a/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        Fx.Write("a/libk.so", "INPUT(libnlgnothere5.so) GROUP(libfoo.so) INPUT(libnlgnothere6.so)\n");
        Fx.Write("a/libg.so", "INPUT(libnlgnothere2.so)\n");
        Fx.Write("a/libh.so", "GROUP ( libfoo.so ) GROUP ( libnlgnothere4.so )\n");
        const string NoFix = "the missing inputs exist nowhere";
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "a/libk.so", "-lnlgnothere3"), false, noFixBecause: NoFix);
        Assert.That(report.Findings.Select(f => f.Library), Is.EqualTo(new[] { "libnlgnothere5.so" }));
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-lnlgnothere1", "a/libh.so", "-lnlgnothere3"), false, noFixBecause: NoFix);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-lnlgnothere1", "-Wl,--start-group", "a/libfoo.so", "-Wl,--end-group",
            "-lnlgnothere3"), false, noFixBecause: NoFix);
        report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-lnlgnothere1", "a/libg.so", "-lnlgnothere3"), false, noFixBecause: NoFix);
        Assert.That(report.Findings, Has.Count.EqualTo(3));
    }

    [Test]
    public void Lld_reads_no_script_after_an_error_and_stops_a_script_at_its_first_error()
    {
        // lld's script lexer is at its end once any error was reported: a later script adds and reports nothing, and
        // the members after a missing one are never read. Other inputs are still searched and reported.
        Tool.RequireOnPath("ld.lld");
        Fx.SharedLib("a/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        Fx.Write("a/libk.so", "INPUT(libnlgnothere5.so) GROUP(libfoo.so) INPUT(libnlgnothere6.so)\n");
        Fx.Write("a/libg.so", "INPUT(libnlgnothere2.so)\n");
        const string NoFix = "the missing inputs exist nowhere";
        var report = AssertAgreesWithLd(Lld("-o", "app", "main.o", "-lnlgnothere1", "a/libg.so", "-lnlgnothere3"), false,
            noFixBecause: NoFix);
        Assert.That(report.Findings.Select(f => f.Library), Is.EquivalentTo(new[] { "-lnlgnothere1", "-lnlgnothere3" }));
        AssertAgreesWithLd(Lld("-o", "app", "main.o", "a/libk.so", "-lnlgnothere3"), false, noFixBecause: NoFix);
    }

    [Test]
    public void After_static_then_bdynamic_ld_rejects_each_dynamic_object_once_all_inputs_are_open()
    {
        // gcc -static passes -static; a later -Wl,-Bdynamic lets -l find libfoo.so again. Once every input is open,
        // GNU ld says "attempted static link of dynamic object" for it and for libc.so's members; a missing input
        // ends the link before that. lld's -static is -Bstatic, so -Bdynamic undoes it (random case 2032:5).
        Fx.SharedLib("build/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        string[] link = ["-static", "-o", "app", "main.o", "-Wl,-Bdynamic", "-Lbuild", "-lfoo"];
        var report = AssertAgreesWithLd(Gcc([.. link, "-lnlgnothere"]), expectSuccess: false,
            noFixBecause: "no libnlgnothere exists anywhere");
        Assert.That(report.Findings.Select(f => f.Code), Is.EqualTo(new[] { "NLG0001" }));
        report = AssertAgreesWithLd(Gcc(link), expectSuccess: false,
            noFixBecause: "only the build knows whether the link is wanted static");
        Assert.That(report.Findings.Count(f => f.Code == "NLG0014"), Is.GreaterThanOrEqualTo(2));
        foreach (var f in report.Findings) AssertLinkerSaid(f.LdMessage);
        // ld then resolves symbols, the rejected libfoo.so's definitions included (random case 60244:5): only
        // what nothing defines is undefined.
        Fx.Object("main2.o", "int foo_fn(void);\nint nlg_nowhere(void);\nint main(void){return foo_fn()+nlg_nowhere();}\n");
        report = AssertSymbolsAgree(Gcc("-static", "-o", "app", "main2.o", "-Wl,-Bdynamic", "-Lbuild", "-lfoo"), false,
            ["NLG0014", "NLG0006"], noFixBecause: "nlg_nowhere is defined nowhere");
        Tool.RequireOnPath("ld.lld");
        AssertAgreesWithLd(Lld(link), expectSuccess: true);
    }

    [Test]
    public void Lld_reads_a_searched_script_whatever_its_output_format_while_ld_skips_it()
    {
        // ld skips a script for another OUTPUT_FORMAT found by -l as incompatible; lld uses it (random case 2042:1).
        Fx.SharedLib("build/libfoo.so.1", Foo);
        Fx.Write("build/libfoo.so", "OUTPUT_FORMAT(elf64-littleaarch64)\nINPUT ( libfoo.so.1 )\n");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false,
            noFixBecause: "the script names the other architecture: only its author knows the intent");
        Tool.RequireOnPath("ld.lld");
        AssertAgreesWithLd(Lld("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void A_script_member_for_another_target_is_skipped_and_not_found_with_the_reason_of_the_last_attempt()
    {
        // A member is searched for even when absolute: a script for another OUTPUT_FORMAT or an ELF file of another
        // machine is skipped, then "cannot find X: file format not recognized" / "file in wrong format" (the error
        // of the last attempt), a missing input like any other (random cases 2035:1, 2042:5).
        Tool.RequireOnPath("aarch64-linux-gnu-gcc");
        Fx.Write("arm/libscript.so", "OUTPUT_FORMAT(elf64-littleaarch64)\nINPUT ( libnlgnothere.so )\n");
        Fx.SharedLib("arm/libarm.so", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.Object("main.o", "int main(void){return 0;}\n");
        foreach (string member in new[] { "arm/libscript.so", "arm/libarm.so" })
        {
            Fx.Write("s/libs.so", $"INPUT ( {Fx.P(member)} )\n");
            var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "s/libs.so", "-lnlgnothere2"), expectSuccess: false,
                noFixBecause: "the member is built for another target");
            Assert.That(report.Findings.Where(f => f.Code == "NLG0001").Select(f => f.Library),
                Is.EqualTo(new[] { Fx.P(member), "-lnlgnothere2" }));
            foreach (var f in report.Findings) AssertLinkerSaid(f.LdMessage);
        }
    }

    [Test]
    public void Under_bstatic_a_shared_object_of_another_machine_is_a_static_link_of_a_dynamic_object()
    {
        // ld checks for a dynamic object in a static link before it checks the machine (random case 2004:2): the
        // aarch64 libfoo.so.1 a script names under -Bstatic ends the link instead of being skipped as incompatible.
        Tool.RequireOnPath("aarch64-linux-gnu-gcc");
        Fx.SharedLib("arm/libfoo.so.1", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.Write("arm/libfoo.so", "GROUP ( libfoo.so.1 -lnlgnothere )\n");
        Fx.Object("main.o", "int main(void){return 0;}\n");
        foreach (var link in new[] { Gcc("-o", "app", "main.o", "-Wl,-Bstatic", "arm/libfoo.so", "-Wl,-Bdynamic"),
            Gcc("-o", "app", "main.o", "-Larm", "-Wl,-Bstatic", "-l:libfoo.so.1", "-Wl,-Bdynamic", "-lnlgnothere"),
            Gcc("-o", "app", "main.o", "-Wl,-Bstatic", "arm/libfoo.so.1", "-Wl,-Bdynamic") })
        {
            var report = AssertAgreesWithLd(link, expectSuccess: false, noFixBecause: "the library is for another machine");
            Assert.That(report.Findings.Select(f => f.Code), Is.EqualTo(new[] { "NLG0014" }));
            AssertLinkerSaid(report.Findings[0].LdMessage);
        }
    }

    [Test]
    public void Lld_finds_an_input_for_another_target_only_once_every_input_was_found()
    {
        // lld collects every input first (a missing one is an error there) and checks their targets only when it
        // parses them, which it never does after an error: the aarch64 library is then not reported (random case
        // 70026:4), and a script read after it is still read.
        Tool.RequireOnPath("ld.lld", "aarch64-linux-gnu-gcc");
        Fx.SharedLib("arm/libarm.so.1", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.Write("s/libs.so", "INPUT ( libnlgnothere.so )\n");
        Fx.Object("main.o", "int main(void){return 0;}\n");
        var report = AssertAgreesWithLd(Lld("-o", "app", "main.o", "arm/libarm.so.1", "s/libs.so"), expectSuccess: false,
            noFixBecause: "the missing member exists nowhere");
        Assert.That(report.Findings.Select(f => f.Code), Is.EqualTo(new[] { "NLG0001" }));
        report = AssertAgreesWithLd(Lld("-o", "app", "main.o", "arm/libarm.so.1"), expectSuccess: false,
            noFixBecause: "the library is for another machine");
        Assert.That(report.Findings.Select(f => f.Code), Is.EqualTo(new[] { "NLG0014" }));
        // A script member too: lld takes the aarch64 file (ld would skip it and report the member missing), then
        // stops at the missing member after it (random case 70119:5).
        Fx.Write("s/libt.so", "GROUP ( arm/libarm.so.1 libnlgnothere.so )\n");
        report = AssertAgreesWithLd(Lld("-o", "app", "main.o", "s/libt.so"), expectSuccess: false,
            noFixBecause: "the missing member exists nowhere");
        Assert.That(report.Findings.Select(f => f.Library), Is.EqualTo(new[] { "libnlgnothere.so" }));
    }

    [Test]
    public void Whether_a_script_is_under_the_sysroot_is_its_realpath_for_ld_and_its_path_as_opened_for_lld()
    {
        // Random cases 1600038:2, 1600047:0: an absolute member of a script under the sysroot is looked for inside
        // it. GNU ld asks of the script's realpath; lld 14 of the path it opened, walking its lexical parents. Here
        // viaLink -> s/a reaches a script inside s from outside, and s/b -> ../elsewhere reaches one outside from
        // inside: each linker says "cannot find ... inside" for one of them and links with the other.
        Fx.SharedLib("out/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        Fx.Write("s/a/libg.so", $"GROUP ( {Fx.P("out/libfoo.so")} )\n");
        Fx.Write("elsewhere/libg.so", $"GROUP ( {Fx.P("out/libfoo.so")} )\n");
        Fx.Sh("ln -s s/a viaLink && ln -s ../elsewhere s/b");
        const string NoFix = "the script, a user file, names a library outside the sysroot by an absolute name";
        string sysroot = "--sysroot=" + Fx.P("s");
        foreach (var (dir, ldLinks) in new[] { (Fx.P("viaLink"), false), (Fx.P("s/b"), true), ("s/a", false) })
        {
            string[] link = [sysroot, "-o", "app", "main.o", "-L" + dir, "-lg"];
            var report = AssertAgreesWithLd(Gcc(link), expectSuccess: ldLinks, noFixBecause: NoFix);
            if (!ldLinks) AssertLinkerSaid(report.Findings[0].LdMessage);
        }
        Tool.RequireOnPath("ld.lld");
        foreach (var (dir, lldLinks) in new[] { (Fx.P("viaLink"), true), (Fx.P("s/b"), false), ("s/a", false) })
        {
            string[] link = [sysroot, "-o", "app", "main.o", "-L" + dir, "-lg"];
            var report = AssertAgreesWithLd(Lld(link), expectSuccess: lldLinks, noFixBecause: NoFix);
            if (!lldLinks) AssertLinkerSaid(report.Findings[0].LdMessage);
        }
    }
}
