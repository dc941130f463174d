using NativeLinkGuard.Tests.Fuzzing.Topology;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// Disagreements the random topology run found once it drew sysroots, symbol versions and undefined symbols, each
/// shrunk to its rule and checked against the real GNU ld and lld: who reports which undefined reference, and which
/// -L spellings get the sysroot.
/// </summary>
public sealed class TopologySymbolRegressionTests : SymbolDifferentialTestBase
{
    private const string UsesNowhere = "int nlg_nowhere(void);\nint {0}(void){{return nlg_nowhere();}}\n";

    [Test]
    public void Lld_reports_every_library_that_references_an_undefined_symbol_and_bfd_only_the_first()
    {
        // Found by lld cases 2100014:5 and 2100015:1: libnlga.so and libnlgb.so both call nlg_nowhere, which
        // nothing defines; lld names both (and the object as well), GNU ld names only the first library, and none
        // when an object calls it too.
        Tool.RequireOnPath("ld.lld");
        TwoLibrariesUsingNowhere();
        foreach (var link in new Func<string[], string[]>[] { Gcc, Lld })
        {
            AssertReferencesAgree(link(["-o", "app", "main.o", "-Wl,--no-as-needed", "-L.", "-lnlga", "-lnlgb"]));
            AssertReferencesAgree(link(["-o", "app", "main.o", "obj.o", "-Wl,--no-as-needed", "-L.", "-lnlga", "-lnlgb"]));
        }
    }

    [Test]
    public void Lld_reports_a_later_library_when_the_first_referrer_is_skipped_for_its_needed_entries()
    {
        // Found by lld case 2100021:2: libnlga.so also needs libnlgdep.so.1, which is not an input, so lld does not
        // check it; libnlgb.so's reference to the same symbol is still reported.
        Tool.RequireOnPath("ld.lld");
        Fx.SharedLib("deps/libnlgdep.so.1", "int dep_x(void){return 0;}\n", soname: "libnlgdep.so.1");
        Fx.SharedLib("libnlga.so", string.Format(UsesNowhere, "use_a"), extra: "-Wl,--no-as-needed deps/libnlgdep.so.1");
        Fx.SharedLib("libnlgb.so", string.Format(UsesNowhere, "use_b"));
        Fx.Object("main.o", "int main(void){return 0;}\n");
        AssertReferencesAgree(Lld("-o", "app", "main.o", "-L.", "-lnlga", "-lnlgb"));
    }

    [Test]
    public void Lld_knows_a_library_without_soname_given_by_path_by_that_path_only()
    {
        // Found by lld case 2400027:2: libnlguser.so.1 needs "libnlgdep.so" (no SONAME). Given as deps/libnlgdep.so,
        // lld names that input "deps/libnlgdep.so", so libnlguser.so.1's DT_NEEDED is not all inputs and lld does
        // not check its undefined nlg_nowhere; found by -l, the input is "libnlgdep.so" and the check fails.
        Tool.RequireOnPath("ld.lld");
        Fx.SharedLib("deps/libnlgdep.so", "int dep_x(void){return 0;}\n");
        Fx.SharedLib("build/libnlguser.so.1", string.Format(UsesNowhere, "use_user"), soname: "libnlguser.so.1",
            extra: "-Wl,--no-as-needed -Ldeps -lnlgdep");
        Fx.Object("main.o", "int main(void){return 0;}\n");
        var report = AssertAgreesWithLd(Lld("-o", "app", "main.o", "deps/libnlgdep.so", "build/libnlguser.so.1"), expectSuccess: true);
        Assert.That(report.Findings.Where(f => f.Code == "NLG0006"), Is.Empty);
        AssertReferencesAgree(Lld("-o", "app", "main.o", "-Ldeps", "-lnlgdep", "build/libnlguser.so.1"));
    }

    [Test]
    public void Gnu_ld_names_a_revived_as_needed_input_before_a_later_dt_needed_library()
    {
        // Found by aarch64 case 3200002:1: libnlgv.so (no SONAME, given by path) is dropped by --as-needed, then
        // revived by libnlguser.so.1's first DT_NEEDED; libnlgw.so.1, its second, is found afterwards. Both call
        // nlg_nowhere: ld names the one that joined first, libnlgv.so.
        Fx.SharedLib("v/libnlgv.so", string.Format(UsesNowhere, "use_v"));
        Fx.SharedLib("deps/libnlgw.so.1", string.Format(UsesNowhere, "use_w"), soname: "libnlgw.so.1");
        Fx.SharedLib("build/libnlguser.so.1", "int user_fn(void){return 0;}\n", soname: "libnlguser.so.1",
            extra: $"-Wl,--no-as-needed {Fx.P("v/libnlgv.so")} deps/libnlgw.so.1");
        Fx.Object("main.o", "int user_fn(void);\nint main(void){return user_fn();}\n");
        AssertReferencesAgree(Gcc("-o", "app", "main.o", Fx.P("v/libnlgv.so"), "build/libnlguser.so.1", "-Wl,-rpath-link,deps"));
    }

    [TestCase("archive member")]
    [TestCase("object")]
    public void A_revived_as_needed_input_that_a_later_object_uses_is_dso_missing(string later)
    {
        // Found by aarch64 case 80232:5 (a missed failure): libnlgc.so.1 comes first and --as-needed drops it; a
        // later object (or archive member) uses its nlg_c, and libnlgb.so.1's DT_NEEDED loads it again. ld names
        // the first file that referenced nlg_c (libnlgb.so.1), then "DSO missing"; every fix must link.
        Fx.SharedLib("d/libnlgc.so.1", "int nlg_c(void){return 3;}\n", soname: "libnlgc.so.1");
        Fx.SharedLib("a/libnlgb.so.1", "int nlg_c(void);\nint nlg_b(void){return nlg_c()+4;}\n",
            soname: "libnlgb.so.1", extra: $"-Wl,--no-as-needed d/libnlgc.so.1 -Wl,-rpath,{Fx.P("d")}");
        Fx.Object("m.o", "int nlg_c(void);\nint nlg_b(void);\nint nlg_m(void){return nlg_c()+nlg_b();}\n");
        Fx.Object("main.o", "int nlg_b(void);\nint nlg_m(void);\nint main(void){return nlg_b()+nlg_m();}\n");
        if (later != "object") Fx.Sh("ar rcs a/libnlgm.a m.o");
        string input = later == "object" ? "m.o" : "a/libnlgm.a";
        var command = Gcc("-o", "app", "main.o", "d/libnlgc.so.1", "a/libnlgb.so.1", input);
        var report = AssertSymbolsAgree(command, expectSuccess: false, ["NLG0008"]);
        var real = Fx.RealLink(command);
        Assert.That(LinkFixture.Says(real.StandardError, report.Findings.Single().LdMessage), Is.True,
            $"ours: {report.Findings.Single().LdMessage}; the linker said:\n{real.StandardError}");
    }

    [Test]
    public void Gnu_ld_keeps_the_first_copy_of_a_symbol_and_a_later_default_version_does_not_satisfy_a_reference()
    {
        // Found by aarch64 case 3202079:2: two builds of libnlgv.so (no SONAME) are loaded, the old one (vf in
        // VERS_1) by -l, the new one (vf@@VERS_2) by an absolute DT_NEEDED. vf stays the old one's, so
        // libnlguser.so.1's reference to vf@VERS_2 is undefined although the new build defines it.
        TwoBuildsOfLibnlgv();
        AssertReferencesAgree(Gcc("-o", "app", "main.o", "-Wl,--no-as-needed", "-Lold", "-lnlgv", "build/libnlguser.so.1",
            "build/libnlgother.so.1"), "NLG0007", "the only fix drops the old build from the command line");
    }

    [Test]
    public void Minus_L_dollar_sysroot_gets_the_sysroot_from_gnu_ld_but_not_from_lld()
    {
        // Found by lld case 2100019:5: lld 14 knows only -L=DIR; -L$SYSROOT/x is a literal directory there.
        Tool.RequireOnPath("ld.lld");
        Fx.SharedLib("sysroot/x/libnlgx.so", "int x_fn(void){return 0;}\n");
        Directory.CreateDirectory(Fx.P("sysroot/usr/lib"));
        Fx.Object("main.o", "int x_fn(void);\nint main(void){return x_fn();}\n");
        string sysroot = "--sysroot=" + Fx.P("sysroot");
        AssertAgreesWithLd(Gcc(sysroot, "-o", "app", "main.o", "-L$SYSROOT/x", "-lnlgx"), expectSuccess: true);
        var report = AssertAgreesWithLd(Lld(sysroot, "-o", "app", "main.o", "-L$SYSROOT/x", "-lnlgx"), expectSuccess: false);
        AssertLinkerSaid(report.Findings.Single(f => f.Code == "NLG0001").LdMessage);
    }

    /// <summary>libnlga.so and libnlgb.so (no SONAME) call nlg_nowhere; so does obj.o.</summary>
    [Test]
    public void Lld_reads_a_second_shared_object_with_a_known_soname_as_nothing()
    {
        // Found by lld case 1210007:5: two files with SONAME libnlga.so.1 (a/ and a copy in b/, the copy calling
        // nlg_nowhere). lld keeps the first and ignores the second, definitions and references alike.
        Tool.RequireOnPath("ld.lld");
        Fx.SharedLib("a/libnlga.so.1", "int use_a(void){return 0;}\n", soname: "libnlga.so.1");
        Fx.SharedLib("b/libnlga.so.1", string.Format(UsesNowhere, "use_a"), soname: "libnlga.so.1");
        Fx.Object("main.o", "int use_a(void);\nint main(void){return use_a();}\n");
        AssertSymbolsAgree(Lld("-o", "app", "main.o", "-Wl,--no-allow-shlib-undefined", "a/libnlga.so.1", "b/libnlga.so.1"),
            expectSuccess: true, []);
        AssertReferencesAgree(Lld("-o", "app", "main.o", "-Wl,--no-allow-shlib-undefined", "b/libnlga.so.1", "a/libnlga.so.1"));
    }

    [Test]
    public void Lld_pulls_an_archive_member_for_what_is_undefined_when_the_archive_is_read()
    {
        // Found by lld case 1200049:5: main.o calls use_a; libnlgm.a's member defines it and calls nlg_nowhere; a
        // later shared library defines use_a too. lld (like ld) pulls the member as it reads the archive, so
        // nlg_nowhere is undefined; with the shared library first, nothing is pulled.
        Tool.RequireOnPath("ld.lld");
        Fx.Object("m.o", string.Format(UsesNowhere, "use_a"));
        Fx.Sh("ar rcs libnlgm.a m.o");
        Fx.SharedLib("libnlga.so", "int use_a(void){return 0;}\n");
        Fx.Object("main.o", "int use_a(void);\nint main(void){return use_a();}\n");
        foreach (var link in new Func<string[], string[]>[] { Gcc, Lld })
        {
            AssertReferencesAgree(link(["-o", "app", "main.o", "libnlgm.a", "libnlga.so"]));
            AssertSymbolsAgree(link(["-o", "app", "main.o", "libnlga.so", "libnlgm.a"]), expectSuccess: true, []);
        }
    }

    [Test]
    public void A_member_pulled_in_takes_a_symbol_from_the_first_archive_for_lld_and_its_own_for_gnu_ld()
    {
        // Found by lld case 7100008:1: libl4.a's l4.o (pulled for fn4) calls fn2, which both an earlier archive's
        // l2.o and libl4.a's own x2.o define; l2.o also calls nlg_nowhere. lld resolves fn2 lazily to the first
        // archive that offered it (l2.o: nlg_nowhere is undefined); GNU ld rescans only libl4.a and takes x2.o.
        Tool.RequireOnPath("ld.lld");
        Fx.Object("l2.o", string.Format(UsesNowhere, "fn2"));
        Fx.Object("x2.o", "int fn2(void){return 2;}\n");
        Fx.Object("l4.o", "int fn2(void);\nint fn4(void){return fn2()+4;}\n");
        Fx.Sh("ar rcs libl2.a l2.o && ar rcs libl4.a x2.o l4.o");
        Fx.Object("main.o", "int fn4(void);\nint main(void){return fn4();}\n");
        AssertReferencesAgree(Lld("-o", "app", "main.o", "libl2.a", "libl4.a"));
        AssertSymbolsAgree(Gcc("-o", "app", "main.o", "libl2.a", "libl4.a"), expectSuccess: true, []);
    }

    private void TwoLibrariesUsingNowhere()
    {
        Fx.SharedLib("libnlga.so", string.Format(UsesNowhere, "use_a"));
        Fx.SharedLib("libnlgb.so", string.Format(UsesNowhere, "use_b"));
        Fx.Object("obj.o", string.Format(UsesNowhere, "use_obj"));
        Fx.Object("main.o", "int main(void){return 0;}\n");
    }

    [Test]
    public void A_versioned_reference_from_a_shared_library_pulls_no_plain_archive_definition()
    {
        // Random case 2107084:5 (lld): libuse.so references fn3@VERS_2 (it was linked against a versioned libdef.so,
        // absent from this link); libx.a's x.o defines a plain fn3 and calls nlg_nowhere. Neither linker pulls x.o
        // for the versioned reference, so nlg_nowhere is no undefined reference; an unversioned reference pulls it.
        Fx.Write("v.map", "VERS_1 { local: *; };\nVERS_2 { global: fn3; } VERS_1;\n");
        Fx.SharedLib("def/libdef.so", "int fn3(void){return 3;}\n", soname: "libdef.so", extra: "-Wl,--version-script,v.map");
        const string Use = "int fn3(void);\nint use_fn(void){return fn3();}\n";
        Fx.SharedLib("libuse.so", Use, extra: "-Wl,--no-as-needed def/libdef.so");
        Fx.SharedLib("plain/libuse.so", Use, extra: "-Wl,--unresolved-symbols=ignore-all");
        Fx.Object("x.o", "int nlg_nowhere(void);\nint fn3(void){return nlg_nowhere();}\n");
        Fx.Object("main.o", "int use_fn(void);\nint main(void){return use_fn();}\n");
        Fx.Sh("ar rcs libx.a x.o");
        foreach (var link in new Func<string[], string[]>[] { Gcc, Lld })
        {
            var report = AssertAgreesWithLd(link(["-o", "app", "main.o", "./libuse.so", "libx.a", "-Wl,--allow-shlib-undefined"]),
                expectSuccess: true);
            Assert.That(report.Findings.Where(f => f.Symbols is not null), Is.Empty, "x.o is not pulled");
            AssertSymbolsAgree(link(["-o", "app", "main.o", "plain/libuse.so", "libx.a", "-Wl,--allow-shlib-undefined"]),
                expectSuccess: false, ["NLG0006", "NLG0015"], noFixBecause: "nothing defines nlg_nowhere");
        }
        // Without --allow-shlib-undefined ld reports the versioned reference itself, never nlg_nowhere.
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "./libuse.so", "libx.a"), expectSuccess: false,
            noFixBecause: "libdef.so is left out of the link on purpose");
        Assert.That(Fx.Comparisons[^1].StandardError, Does.Not.Contain("nlg_nowhere"));
    }

    [Test]
    public void A_dt_needed_revives_a_command_line_copy_before_a_copy_named_in_a_linker_script()
    {
        // Aarch64 case 2209159:1: two builds of libnlgv.so.1 (one SONAME), both dropped by gcc's default --as-needed
        // (only libuser.so uses vf, and it names libnlgv.so.1 in DT_NEEDED). That DT_NEEDED revives the first copy
        // in ld's input chain, where a script's members come after every command-line input: the old copy (vf at
        // VERS_1 only) wins when both are on the command line, the new one (VERS_2) when the old is named in a script.
        Fx.Write("old.map", "VERS_1 { global: vf; local: *; };\n");
        Fx.Write("new.map", "VERS_1 { local: *; };\nVERS_2 { global: vf; } VERS_1;\n");
        const string Vf = "int vf(void){return 0;}\n";
        Fx.SharedLib("old/libnlgv.so.1", Vf, soname: "libnlgv.so.1", extra: "-Wl,--version-script,old.map");
        Fx.SharedLib("new/libnlgv.so.1", Vf, soname: "libnlgv.so.1", extra: "-Wl,--version-script,new.map");
        Fx.Sh("ln -s libnlgv.so.1 new/libnlgv.so");
        Fx.SharedLib("b/libuser.so", "int vf(void);\nint user_fn(void){return vf();}\n",
            extra: "-Wl,--no-as-needed new/libnlgv.so.1");
        Fx.Object("main.o", "int user_fn(void);\nint main(void){return user_fn();}\n");
        Fx.Write("old/libg.so", "GROUP ( -l:libnlgv.so.1 )\n");
        Fx.Write("old/libp.so", $"INPUT ( {Fx.P("old/libnlgv.so.1")} )\n");
        const string OldWins = "the old build on the command line is the user's to remove";
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Wl,--as-needed", "b/libuser.so", "old/libnlgv.so.1", "-Lnew",
            "-lnlgv"), expectSuccess: false, noFixBecause: OldWins);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Wl,--as-needed", "b/libuser.so", "old/libnlgv.so.1",
            "new/libnlgv.so.1"), expectSuccess: false, noFixBecause: OldWins);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Wl,--as-needed", "b/libuser.so", "old/libg.so", "-Lold", "-Lnew",
            "-lnlgv"), expectSuccess: true);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Wl,--as-needed", "b/libuser.so", "old/libp.so",
            "new/libnlgv.so.1"), expectSuccess: true);
    }

    [Test]
    public void After_static_then_bdynamic_ld_checks_the_references_of_the_dynamic_objects_it_rejects()
    {
        // Random case 2500157:1: -static ... -Wl,-Bdynamic libfoo.so. ld rejects libfoo.so ("attempted static link",
        // not fatal), walks its DT_NEEDED, and reports its references nothing defines: fn0 when libnlgdep.so.1 is not
        // found, nlg_nowhere always; none when the DT_NEEDED is found.
        Fx.SharedLib("deps/libnlgdep.so.1", "int dep_fn(void){return 0;}\n", soname: "libnlgdep.so.1");
        Fx.SharedLib("build/libfoo.so", "int dep_fn(void);\nint foo_fn(void){return dep_fn();}\n",
            extra: "-Wl,--no-as-needed deps/libnlgdep.so.1");
        Fx.SharedLib("build/libbar.so", "int nlg_nowhere(void);\nint foo_fn(void){return nlg_nowhere();}\n");
        Fx.Object("main.o", MainUsesFoo);
        const string NoFix = "a static program cannot take a shared library; only the build knows which one it wants";
        string[][] links =
        [
            Gcc("-o", "app", "main.o", "-static", "-Wl,-Bdynamic", "build/libfoo.so"),
            Gcc("-o", "app", "main.o", "-static", "-Wl,-Bdynamic", "build/libfoo.so", "-Wl,-rpath-link,deps"),
            Gcc("-o", "app", "main.o", "-static", "-Wl,-Bdynamic", "build/libbar.so"),
        ];
        foreach (var link in links)
        {
            var report = AssertAgreesWithLd(link, expectSuccess: false, noFixBecause: NoFix);
            var real = Fx.Comparisons[^1];
            Assert.That(UndefinedReferences.InReport(report), Is.EquivalentTo(UndefinedReferences.InStderr(real.StandardError)),
                $"who references what (linker said:\n{real.StandardError})");
        }
        Assert.That(UndefinedReferences.InStderr(Fx.Comparisons[0].StandardError), Is.Not.Empty, "the scenario");
    }

    /// <summary>The link fails, and who references which symbol is exactly what the linker says, line for line.</summary>
    [Test]
    public void A_later_default_version_satisfies_a_reference_when_the_earlier_copy_came_for_a_dt_needed_entry()
    {
        // Found by GNU ld case 7500033:5: the old build of libnlgv.so (vf in VERS_1) is loaded for libnlguser.so.1's
        // DT_NEEDED (found by a search), or is an --as-needed input revived by it; the new build (vf@@VERS_2) by an
        // absolute DT_NEEDED of a later library. Unlike an old build loaded from the command line (the test above),
        // that copy shadows nothing: ld accepts libnlguser.so.1's reference to vf@VERS_2.
        TwoBuildsOfLibnlgv();
        AssertSymbolsAgree(Gcc("-o", "app", "main.o", "-Wl,--no-as-needed", "build/libnlguser.so.1",
            "build/libnlgother.so.1", $"-Wl,-rpath-link,{Fx.P("old")}"), expectSuccess: true, []);
        AssertSymbolsAgree(Gcc("-o", "app", "main.o", "-Wl,--as-needed", "-Lold", "-lnlgv", "-Wl,--no-as-needed",
            "build/libnlguser.so.1", "build/libnlgother.so.1"), expectSuccess: true, []);
    }

    [Test]
    public void A_dropped_as_needed_input_is_not_revived_by_a_dt_needed_ld_does_not_read()
    {
        // Found by GNU ld case 7600141:5: libnlgx.so (-l, --as-needed) is dropped, as nothing uses it yet; libnlgm.a's
        // member then calls use_x; a later libnlgneed.so needs libnlgx.so. ld revives the dropped input for that
        // DT_NEEDED ("DSO missing from command line") only where it reads DT_NEEDED entries: under
        // --allow-shlib-undefined it reads none, and use_x is a plain undefined reference.
        Fx.SharedLib("x/libnlgx.so", "int use_x(void){return 0;}\n");
        Fx.SharedLib("libnlgneed.so", "int need_fn(void){return 0;}\n", extra: "-Wl,--no-as-needed x/libnlgx.so");
        Fx.Object("m.o", "int use_x(void);\nint use_m(void){return use_x();}\n");
        Fx.Sh("ar rcs libnlgm.a m.o");
        Fx.Object("main.o", "int use_m(void);\nint need_fn(void);\nint main(void){return use_m()+need_fn();}\n");
        string[] link = ["-o", "app", "main.o", "-Wl,--as-needed", "-Lx", "-lnlgx", "libnlgm.a", "./libnlgneed.so"];
        AssertSymbolsAgree(Gcc([.. link, "-Wl,--allow-shlib-undefined"]), expectSuccess: false, ["NLG0006", "NLG0015"]);
        AssertSymbolsAgree(Gcc(link), expectSuccess: false, ["NLG0008"]);
    }

    /// <summary>Two SONAME-less builds of libnlgv.so: old (vf in VERS_1) and new (vf@@VERS_2); libnlguser.so.1 was
    /// linked against the new one by -l (DT_NEEDED "libnlgv.so", a reference to vf@VERS_2), libnlgother.so.1 by its
    /// absolute path.</summary>
    private void TwoBuildsOfLibnlgv()
    {
        Fx.Write("old.map", "VERS_1 { global: vf; local: *; };\n");
        Fx.Write("new.map", "VERS_1 { local: *; };\nVERS_2 { global: vf; } VERS_1;\n");
        const string Vf = "int vf(void){return 0;}\n";
        Fx.SharedLib("old/libnlgv.so", Vf, extra: "-Wl,--version-script,old.map");
        Fx.SharedLib("new/libnlgv.so", Vf, extra: "-Wl,--version-script,new.map");
        Fx.SharedLib("build/libnlguser.so.1", "int vf(void);\nint user_fn(void){return vf();}\n", soname: "libnlguser.so.1",
            extra: "-Wl,--no-as-needed -Lnew -lnlgv");
        Fx.SharedLib("build/libnlgother.so.1", "int other_fn(void){return 0;}\n", soname: "libnlgother.so.1",
            extra: $"-Wl,--no-as-needed {Fx.P("new/libnlgv.so")}");
        Fx.Object("main.o", "int user_fn(void);\nint other_fn(void);\nint main(void){return user_fn()+other_fn();}\n");
    }

    private void AssertReferencesAgree(string[] command, string code = "NLG0006", string because = "nothing defines nlg_nowhere")
    {
        var report = AssertSymbolsAgree(command, expectSuccess: false, [code], noFixBecause: because);
        var real = Fx.Comparisons[^1];
        Assert.That(UndefinedReferences.InReport(report), Is.EquivalentTo(UndefinedReferences.InStderr(real.StandardError)),
            $"who references what (linker said:\n{real.StandardError})");
        // An object's (or archive member's) reference is printed under "in function" with a source offset.
        foreach (var f in report.Findings.Where(f => f.Code == code && !f.Library.EndsWith(".o", StringComparison.Ordinal)
            && !f.Library.EndsWith(".o)", StringComparison.Ordinal)))
            AssertLinkerSaid(f.LdMessage);
    }
}
