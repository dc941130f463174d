using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>Issue 7 against GNU ld: undefined references, versions, DSO missing, archives, groups and the policy options.</summary>
public sealed class SymbolResolutionTests : SymbolDifferentialTestBase
{
    [Test]
    public void Undefined_reference_caused_by_a_missing_indirect_library_is_NLG0006_next_to_NLG0002()
    {
        FooNeedingDepIn();
        var report = AssertSymbolsAgree(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), false, ["NLG0002", "NLG0006"], hints: ["deps"]);
        var f = report.Findings.Single(x => x.Code == "NLG0006");
        using (Assert.EnterMultipleScope())
        {
            AssertLinkerSaid(f.LdMessage);
            Assert.That(f.Message, Does.Contain("libdep.so.1 (not found) would provide it").And.Contain(Fx.P("deps/libdep.so.1")));
            Assert.That(report.Findings.Single(x => x.Code == "NLG0002").Severity, Is.EqualTo(Severity.Error));
        }
    }

    [Test]
    public void Missing_indirect_library_whose_symbols_another_input_defines_links_with_a_warning()
    {
        FooNeedingDepIn();
        Fx.Object("depobj.o", Dep);
        var report = AssertSymbolsAgree(Gcc("-o", "app", "main.o", "depobj.o", "-Lbuild", "-lfoo"), true, ["NLG0002"]);
        var f = report.Findings.Single();
        Assert.That(f.Severity, Is.EqualTo(Severity.Warning));
        AssertLinkerSaid(f.LdMessage);
        Assert.That(f.Notes[0], Does.Contain("the link succeeds"));
    }

    [Test]
    public void Missing_symbol_version_is_NLG0007_and_the_library_that_defines_it_fixes_it()
    {
        VersionedDependency();
        var report = AssertSymbolsAgree(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link," + Fx.P("old")), false, ["NLG0007"], hints: ["new"]);
        var f = report.Findings.Single();
        using (Assert.EnterMultipleScope())
        {
            AssertLinkerSaid(f.LdMessage);
            Assert.That(f.NeededVersion, Is.EqualTo("DEP_2.0"));
            Assert.That(f.ProvidedVersions, Is.EqualTo(new[] { "DEP_1.0" }));
            Assert.That(f.Suggestions[0].Flags, Is.EqualTo(new[] { Fx.P("new/libdep.so.1") }));
        }
    }

    [Test]
    public void A_library_built_against_a_newer_glibc_than_the_sysroot_is_NLG0007_with_the_sysroot_version()
    {
        // Stand-ins for glibc: the sysroot's libc.so.6 has GLIBC_2.2.5 and GLIBC_2.17; the prebuilt library was
        // linked against one that also has GLIBC_2.28.
        Fx.Write("old.map", "GLIBC_2.2.5 { global: memcpy; local: *; };\nGLIBC_2.17 { global: clock_gettime; } GLIBC_2.2.5;\n");
        Fx.Write("new.map", "GLIBC_2.2.5 { global: memcpy; local: *; };\nGLIBC_2.17 { global: clock_gettime; } GLIBC_2.2.5;\nGLIBC_2.28 { global: fcntl64; } GLIBC_2.17;\n");
        const string libc = "void *memcpy(void *d, const void *s, unsigned long n){return d;}\nint clock_gettime(void){return 0;}\n";
        Fx.SharedLib("sys/usr/lib/libc.so.6", libc, soname: "libc.so.6", extra: "-nostdlib -Wl,--version-script,old.map");
        Fx.Sh("ln -s libc.so.6 sys/usr/lib/libc.so");
        Fx.SharedLib("newlibc/libc.so.6", libc + "int fcntl64(void){return 0;}\n", soname: "libc.so.6", extra: "-nostdlib -Wl,--version-script,new.map");
        Fx.SharedLib("prebuilt/libpre.so", "int fcntl64(void);\nint pre_fn(void){return fcntl64();}\n", extra: "-nostdlib newlibc/libc.so.6");
        Fx.Object("main.o", "int pre_fn(void);\nint main(void){return pre_fn();}\n");
        string[] command = Gcc("-nostdlib", "--sysroot=" + Fx.P("sys"), "-o", "app", "main.o", "-Lprebuilt", "-lpre", "-L=/usr/lib", "-lc");
        var report = AssertSymbolsAgree(command, false, ["NLG0007"], noFixBecause: "only a sysroot with a newer libc provides GLIBC_2.28");
        var f = report.Findings.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(f.NeededVersion, Is.EqualTo("GLIBC_2.28"));
            Assert.That(f.ProvidedVersions, Is.EquivalentTo(new[] { "GLIBC_2.2.5", "GLIBC_2.17" }));
            Assert.That(f.Notes, Has.Some.Contains("glibc 2.17").And.Some.Contains("sysroot_linux-64>=2.28"));
        }
    }

    [Test]
    public void Dso_missing_from_command_line_without_as_needed_is_NLG0008_and_adding_the_library_fixes_it()
    {
        FooNeedingDepIn();
        Fx.Object("maindep.o", "int foo_fn(void);\nint dep_fn(void);\nint main(void){return foo_fn()+dep_fn()-2;}\n");
        var report = AssertSymbolsAgree(Gcc("-o", "app", "maindep.o", "-Wl,--no-as-needed", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"), false, ["NLG0008"]);
        var f = report.Findings.Single();
        AssertLinkerSaid(f.LdMessage);
        // ld's second line names the library where it found the symbol, spelled as ld opened it ("deps/libdep.so.1"
        // through -rpath-link,deps): our note quotes that line exactly.
        Assert.That(f.Notes[0], Does.StartWith("ld then says: "));
        AssertLinkerSaid(f.Notes[0]["ld then says: ".Length..]);
    }

    [Test]
    public void Dso_missing_with_as_needed_and_an_unused_needing_library_is_a_plain_undefined_reference()
    {
        FooNeedingDepIn();
        Fx.Object("maindep.o", MainUsesDep);
        var report = AssertSymbolsAgree(Gcc("-o", "app", "maindep.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"), false, ["NLG0006"]);
        Assert.That(report.Findings.Single().Suggestions[0].Flags, Is.EqualTo(new[] { "-L" + Fx.P("deps"), "-l:libdep.so.1" }));
    }

    [Test]
    public void Copy_dt_needed_entries_lets_the_program_use_an_indirect_library()
    {
        FooNeedingDepIn();
        Fx.Object("maindep.o", "int foo_fn(void);\nint dep_fn(void);\nint main(void){return foo_fn()+dep_fn()-2;}\n");
        AssertSymbolsAgree(Gcc("-o", "app", "maindep.o", "-Wl,--no-as-needed", "-Lbuild", "-Wl,--copy-dt-needed-entries", "-lfoo", "-Wl,-rpath-link,deps"), true, []);
    }

    [Test]
    public void Warn_unresolved_symbols_links_and_reports_warnings()
    {
        FooNeedingDepIn();
        var report = AssertSymbolsAgree(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--warn-unresolved-symbols"), true, ["NLG0002", "NLG0006"]);
        Assert.That(report.Findings.Select(f => f.Severity), Has.All.EqualTo(Severity.Warning));
        AssertLinkerSaid(report.Findings.Single(f => f.Code == "NLG0006").LdMessage);
    }

    [Test]
    public void Unresolved_symbols_ignore_in_shared_libs_skips_the_library_check()
    {
        FooNeedingDepIn();
        AssertSymbolsAgree(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--unresolved-symbols=ignore-in-shared-libs"), true, ["NLG0012"]);
    }

    [Test]
    public void Unresolved_symbols_ignore_all_links_an_object_with_an_undefined_reference()
    {
        Fx.Object("maindep.o", MainUsesDep);
        AssertSymbolsAgree(Gcc("-o", "app", "maindep.o", "-Wl,--unresolved-symbols=ignore-all"), true, []);
        AssertSymbolsAgree(Gcc("-o", "app2", "maindep.o", "-Wl,--unresolved-symbols=report-all"), false, ["NLG0006"], noFixBecause: "nothing in the fixture defines dep_fn");
    }

    [Test]
    public void Weak_undefined_reference_links()
    {
        Fx.Object("weak.o", "__attribute__((weak)) int nope(void);\nint main(void){return nope ? nope() : 0;}\n");
        AssertSymbolsAgree(Gcc("-o", "app", "weak.o"), true, []);
    }

    private void TwoArchives()
    {
        Fx.Write("src/a1.c", "int a2(void);\nint a1(void){return a2();}\n");
        Fx.Write("src/a2.c", "int a2(void){return 2;}\n");
        Fx.Sh("gcc -c src/a1.c -o a1.o && gcc -c src/a2.c -o a2.o && ar rcs liba1.a a1.o && ar rcs liba2.a a2.o");
        Fx.Object("maina.o", "int a1(void);\nint main(void){return a1()-2;}\n");
    }

    [Test]
    public void Archive_order_matters_and_repeating_the_archive_fixes_it()
    {
        TwoArchives();
        var report = AssertSymbolsAgree(Gcc("-o", "app", "maina.o", "-L.", "-la2", "-la1"), false, ["NLG0006"]);
        Assert.That(report.Findings.Single().Library, Is.EqualTo("./liba1.a(a1.o)"));
        AssertSymbolsAgree(Gcc("-o", "app", "maina.o", "-L.", "-la1", "-la2"), true, []);
    }

    [Test]
    public void Whole_archive_extracts_every_member_and_their_references_must_resolve()
    {
        TwoArchives();
        Fx.Object("plain.o", "int main(void){return 0;}\n");
        AssertSymbolsAgree(Gcc("-o", "app", "plain.o", "-L.", "-la1"), true, []);
        var report = AssertSymbolsAgree(Gcc("-o", "app", "plain.o", "-Wl,--whole-archive", "liba1.a", "-Wl,--no-whole-archive"), false, ["NLG0006"], hints: ["."]);
        Assert.That(report.Findings.Single().Symbols, Is.EqualTo(new[] { "a2" }));
    }

    [Test]
    public void Minus_u_pulls_an_archive_member_in()
    {
        TwoArchives();
        Fx.Object("plain.o", "int main(void){return 0;}\n");
        AssertSymbolsAgree(Gcc("-o", "app", "plain.o", "-Wl,-u,a1", "-L.", "-la1", "-la2"), true, []);
        AssertSymbolsAgree(Gcc("-o", "app", "plain.o", "-Wl,-u,a1", "-L.", "-la2", "-la1"), false, ["NLG0006"]);
    }

    [Test]
    public void Start_group_rescans_archives()
    {
        TwoArchives();
        AssertSymbolsAgree(Gcc("-o", "app", "maina.o", "-L.", "-Wl,--start-group", "-la2", "-la1", "-Wl,--end-group"), true, []);
    }

    [Test]
    public void Shared_link_allows_undefined_symbols_unless_z_defs()
    {
        Fx.Object("sh.o", "int undefined_thing(void);\nint lib_fn(void){return undefined_thing();}\n");
        Fx.SharedLib("provider/libthing.so", "int undefined_thing(void){return 0;}\n");
        AssertSymbolsAgree(Gcc("-shared", "-o", "libsh.so", "sh.o"), true, []);
        var report = AssertSymbolsAgree(Gcc("-shared", "-o", "libsh.so", "sh.o", "-Wl,-z,defs"), false, ["NLG0006"], hints: ["provider"]);
        Assert.That(report.Findings.Single().Suggestions[0].Flags, Is.EqualTo(new[] { "-L" + Fx.P("provider"), "-lthing" }));
        AssertSymbolsAgree(Gcc("-shared", "-o", "libsh.so", "sh.o", "-Wl,--no-undefined"), false, ["NLG0006"], hints: ["provider"]);
    }

    [Test]
    public void Shared_link_checks_its_libraries_symbols_only_with_no_allow_shlib_undefined()
    {
        FooNeedingDepIn();
        Fx.Object("bar.o", "int foo_fn(void);\nint bar_fn(void){return foo_fn();}\n");
        AssertSymbolsAgree(Gcc("-shared", "-o", "libbar.so", "bar.o", "-Lbuild", "-lfoo"), true, []);
        AssertSymbolsAgree(Gcc("-shared", "-o", "libbar.so", "bar.o", "-Lbuild", "-lfoo", "-Wl,--no-allow-shlib-undefined"), false, ["NLG0002", "NLG0006"], hints: ["deps"]);
        AssertSymbolsAgree(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--allow-shlib-undefined"), true, ["NLG0015", "NLG0012"]);
    }

    [Test]
    public void Gc_sections_turns_an_objects_undefined_reference_into_a_warning()
    {
        Fx.Write("src/gc.c", "int nothere(void);\nint unused(void){return nothere();}\nint main(void){return 0;}\n");
        Fx.Sh("gcc -ffunction-sections -c src/gc.c -o gc.o");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "gc.o", "-Wl,--gc-sections"), true);
        Assert.That(report.Findings.Single(), Has.Property("Code").EqualTo("NLG0006").And.Property("Severity").EqualTo(Severity.Warning));
        AssertSymbolsAgree(Gcc("-o", "app", "gc.o"), false, ["NLG0006"], noFixBecause: "nothing in the fixture defines nothere");
    }

    [Test]
    public void Two_sonames_of_one_library_may_conflict()
    {
        FooNeedingDepIn();
        Fx.SharedLib("v2/libdep.so.2", Dep, soname: "libdep.so.2");
        var report = AssertSymbolsAgree(Gcc("-o", "app", "main.o", "-Wl,--no-as-needed", "v2/libdep.so.2", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"), true, ["NLG0009"]);
        AssertLinkerSaid(report.Findings.Single().LdMessage);
    }

    private static readonly string[][] s_systemLinks =
    [
        ["gcc", "-o", "app", "real.o", "-lm", "-pthread"],
        ["gcc", "-static", "-o", "app", "real.o", "-lm", "-pthread"],
        ["g++", "-o", "app", "cpp.o"],
        ["g++", "-static", "-o", "app", "cpp.o"],
        ["g++", "-static-libstdc++", "-static-libgcc", "-o", "app", "cpp.o"],
        ["gcc", "-pg", "-o", "app", "real.o", "-lm"],
        ["gcc", "-o", "app", "real.o", "-lm", "-Wl,--no-as-needed", "-ldl", "-lrt", "-Wl,-z,now"],
        ["gcc", "-fuse-ld=lld", "-o", "app", "real.o", "-lm", "-pthread"],
        ["g++", "-fuse-ld=lld", "-static", "-o", "app", "cpp.o"],
    ];

    /// <summary>
    /// Links against the real system libraries (libc, libm, libstdc++, libgcc, crt files, static archives): symbol
    /// resolution must not invent failures. Pins TLS relaxation (__tls_get_addr in static C++), glibc's empty
    /// libpthread.a (no index needed), and gcrt1.o's unused undefined symbols (only relocations count).
    /// </summary>
    [TestCaseSource(nameof(s_systemLinks))]
    public void Links_against_the_system_libraries_are_predicted_to_succeed(string[] command)
    {
        Fx.Write("src/real.c", "#include <stdio.h>\n#include <math.h>\n#include <pthread.h>\nvoid *t(void *a){return a;}\n"
            + "int main(int c, char **v){pthread_t x; pthread_create(&x, 0, t, 0); pthread_join(x, 0); printf(\"%f\\n\", sin(c)); return 0;}\n");
        Fx.Write("src/cpp.cc", "#include <iostream>\n#include <string>\n#include <vector>\nint main(){std::vector<std::string> v{\"a\"}; std::cout << v[0] << std::endl; return 0;}\n");
        Tool.RequireOnPath("g++");
        Fx.Sh("gcc -c -fPIC src/real.c -o real.o && g++ -c src/cpp.cc -o cpp.o");
        if (command.Contains("-fuse-ld=lld"))
            Tool.RequireOnPath("ld.lld");
        AssertSymbolsAgree(command, true, []);
    }
}
