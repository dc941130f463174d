using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>ld-rules §4–5: the DT_NEEDED search order and when ld skips it.</summary>
public sealed class IndirectSearchTests : DifferentialTestBase
{
    [Test]
    public void Indirect_dependency_in_a_minus_L_dir_is_not_found_and_rpath_link_fixes_it()
    {
        FooNeedingDepIn();
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-Ldeps", "-lfoo"), expectSuccess: false);
        Assert.That(report.Findings.Single(f => f.Code == "NLG0002").Notes, Has.Some.Contains("ld never searches the -L list for a DT_NEEDED"));
    }

    [Test]
    public void Library_path_does_not_help_an_indirect_dependency()
    {
        FooNeedingDepIn();
        Fx.Environment["LIBRARY_PATH"] = Fx.P("deps");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
        var f = report.Findings.Single(f => f.Code == "NLG0002");
        Assert.That(f.Suggestions[0].Flags, Is.EqualTo(new[] { "-Wl,-rpath-link," + Fx.P("deps") }));
        Assert.That(f.Notes, Has.Some.Contains("LIBRARY_PATH"));
    }

    [Test]
    public void Rpath_link_finds_the_indirect_dependency()
    {
        FooNeedingDepIn();
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"), expectSuccess: true);
    }

    [Test]
    public void Rpath_finds_the_indirect_dependency()
    {
        FooNeedingDepIn();
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath," + Fx.P("deps")), expectSuccess: true);
    }

    [Test]
    public void Ld_library_path_finds_the_indirect_dependency_for_a_native_linker()
    {
        FooNeedingDepIn();
        Fx.Environment["LD_LIBRARY_PATH"] = Fx.P("deps");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Ld_run_path_is_searched_when_there_is_no_rpath()
    {
        FooNeedingDepIn();
        Fx.Environment["LD_RUN_PATH"] = Fx.P("deps");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Ld_run_path_is_ignored_when_an_rpath_is_given()
    {
        FooNeedingDepIn();
        Fx.Environment["LD_RUN_PATH"] = Fx.P("deps");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath," + Fx.P("elsewhere")), expectSuccess: false);
    }

    [Test]
    public void Runpath_with_origin_of_the_needing_library_is_searched()
    {
        FooNeedingDepIn(fooExtra: "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../deps'");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Old_style_rpath_of_the_needing_library_is_searched()
    {
        FooNeedingDepIn(fooExtra: "-Wl,--disable-new-dtags,-rpath,'$ORIGIN/../deps'");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void A_parents_rpath_is_not_inherited_by_its_dependency()
    {
        // libtop RPATH → mid and deps; libmid needs libdep but has no RPATH: ld searches only libmid's own.
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.SharedLib("mid/libmid.so.1", FooNeedsDep, soname: "libmid.so.1", extra: "deps/libdep.so.1");
        Fx.SharedLib("build/libtop.so", "int foo_fn(void); int top_fn(void){return foo_fn();}\n", extra: $"mid/libmid.so.1 -Wl,--disable-new-dtags,-rpath,{Fx.P("mid")}:{Fx.P("deps")}");
        Fx.Object("main.o", "int top_fn(void);\nint main(void){return top_fn()-1;}\n");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-ltop"), expectSuccess: false);
        Assert.That(report.Findings.Single(f => f.Code == "NLG0002").Chain, Is.EqualTo(new[] { "app", "libtop.so", "libmid.so.1", "libdep.so.1" }));
    }

    [Test]
    public void Shared_link_does_not_search_dependencies_of_its_libraries()
    {
        FooNeedingDepIn();
        File.Delete(Fx.P("deps/libdep.so.1"));
        Fx.Sh("gcc -c -fPIC -o bar.o src/main.o.c");
        AssertAgreesWithLd(Gcc("-shared", "-o", "libbar.so", "bar.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Shared_link_with_no_allow_shlib_undefined_searches_them()
    {
        FooNeedingDepIn();
        Fx.Sh("gcc -c -fPIC -o bar.o src/main.o.c");
        AssertAgreesWithLd(Gcc("-shared", "-o", "libbar.so", "bar.o", "-Lbuild", "-lfoo", "-Wl,--no-allow-shlib-undefined"), expectSuccess: false, hints: ["deps"]);
    }

    [Test]
    public void Allow_shlib_undefined_on_an_executable_skips_the_search()
    {
        FooNeedingDepIn();
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--allow-shlib-undefined"), expectSuccess: true);
        // ld is silent, but the program would not load: said once (info), and the load predicted (issue 15).
        Assert.That(report.Findings.Select(f => (f.Code, f.Severity)), Is.EquivalentTo(new[] { ("NLG0015", Severity.Info), ("NLG0012", Severity.Warning) }));
        var risk = report.Findings.Single(f => f.Code == "NLG0012");
        Assert.That(risk.Suggestions.SelectMany(x => x.Flags), Has.None.Contains("allow-shlib-undefined"));
    }

    [Test]
    public void A_dependency_given_on_the_command_line_satisfies_the_needed_entry()
    {
        FooNeedingDepIn();
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "deps/libdep.so.1"), expectSuccess: true);
    }

    [Test]
    public void A_file_named_like_the_needed_entry_but_with_another_soname_does_not_satisfy_it()
    {
        FooNeedingDepIn();
        Fx.SharedLib("other/libdep.so.1", "int other_fn(void){return 1;}\n", soname: "libother.so.1");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--no-as-needed", "other/libdep.so.1"), expectSuccess: false, hints: ["deps"]);
    }

    [Test]
    public void Empty_rpath_element_means_the_working_directory()
    {
        FooNeedingDepIn(depDir: ".");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath," + Fx.P("nowhere") + ":"), expectSuccess: true);
    }

    [Test]
    public void Deep_chain_is_followed_to_the_missing_grandchild()
    {
        // libfoo.so → libc2.so.1 (found through -rpath-link deps) → libc3.so.1 (only in c3/, which nothing searches).
        Fx.SharedLib("c3/libc3.so.1", Dep, soname: "libc3.so.1");
        Fx.SharedLib("deps/libc2.so.1", FooNeedsDep.Replace("foo_fn", "c2_fn"), soname: "libc2.so.1", extra: "c3/libc3.so.1");
        Fx.SharedLib("build/libfoo.so", "int c2_fn(void); int foo_fn(void){return c2_fn();}\n", extra: "deps/libc2.so.1");
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"), expectSuccess: false, hints: ["c3"]);
        Assert.That(report.Findings.Single(f => f.Code == "NLG0002").Chain, Is.EqualTo(new[] { "app", "libfoo.so", "libc2.so.1", "libc3.so.1" }));
    }

    [TestCase("deps")]
    [TestCase("./deps/../deps")]
    [TestCase("{root}/deps/")]
    public void A_library_found_for_a_needed_entry_is_spelled_as_ld_joined_the_search_element_and_the_name(string element)
    {
        // ld names libc2.so.1 in its messages as ELEMENT + "/" + NAME, unnormalised (ldelf_search_needed).
        Fx.SharedLib("c3/libc3.so.1", Dep, soname: "libc3.so.1");
        Fx.SharedLib("deps/libc2.so.1", FooNeedsDep.Replace("foo_fn", "c2_fn"), soname: "libc2.so.1", extra: "c3/libc3.so.1");
        Fx.SharedLib("build/libfoo.so", "int c2_fn(void); int foo_fn(void){return c2_fn();}\n", extra: "deps/libc2.so.1");
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link," + element.Replace("{root}", Fx.Root)), expectSuccess: false, hints: ["c3"]);
        AssertLinkerSaid(report.Findings.Single(f => f.Code == "NLG0002").LdMessage);
    }

    [Test]
    public void Bare_ld_suggestion_uses_ld_spelling()
    {
        FooNeedingDepIn();
        Fx.Sh("gcc -c -fPIC -o bar.o src/main.o.c");
        var report = AssertAgreesWithLd(["ld", "-shared", "--no-allow-shlib-undefined", "-o", "libbar.so", "bar.o", "-Lbuild", "-lfoo"], expectSuccess: false, hints: ["deps"]);
        Assert.That(report.Findings.Single(f => f.Code == "NLG0002").Suggestions[0].Flags, Is.EqualTo(new[] { "-rpath-link", Fx.P("deps") }));
    }

    [Test]
    public void A_candidate_needing_another_version_of_a_loaded_library_loses_to_a_later_one()
    {
        // libz.so.1 is on the command line. ld's first pass rejects a/libdep.so.1, which needs libz.so.2, and takes
        // b/libdep.so.1 (needs libz.so.1). a's copy lacks dep_fn, so picking it would fail the link.
        Fx.SharedLib("z1/libz.so.1", "int z(void){return 1;}\n", soname: "libz.so.1");
        Fx.SharedLib("z2/libz.so.2", "int z(void){return 2;}\n", soname: "libz.so.2");
        Fx.SharedLib("a/libdep.so.1", "int unrelated(void){return 0;}\n", soname: "libdep.so.1", extra: "-Wl,--no-as-needed z2/libz.so.2");
        Fx.SharedLib("b/libdep.so.1", Dep, soname: "libdep.so.1", extra: "-Wl,--no-as-needed z1/libz.so.1");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "b/libdep.so.1");
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--no-as-needed", "z1/libz.so.1", "-Wl,-rpath-link,a:b:z2"), expectSuccess: true);
        Assert.That(report.Findings, Is.Empty);
    }

    [Test]
    public void A_candidate_not_linked_against_libc_loses_to_a_later_one_that_is()
    {
        // ld's first pass rejects a/libdep.so.1 (DT_NEEDED entries, none libc.so.*); b/libdep.so.1 wins.
        // a's copy lacks dep_fn, so picking it would fail the link.
        Fx.SharedLib("other/libz1.so", "int z1(void){return 0;}\n", soname: "libz1.so", extra: "-nostdlib");
        Fx.SharedLib("a/libdep.so.1", "int unrelated(void){return 0;}\n", soname: "libdep.so.1", extra: "-nostdlib -Wl,--no-as-needed other/libz1.so");
        Fx.SharedLib("b/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "b/libdep.so.1");
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,a:b:other"), expectSuccess: true);
        Assert.That(report.Findings, Is.Empty);
    }

    [Test]
    public void Dollar_lib_in_a_runpath_means_lib64_to_ld()
    {
        Fx.SharedLib("deps/lib64/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "deps/lib64/libdep.so.1 -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../deps/$LIB'");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    /// <summary>
    /// ld's token is the whole rest of a path component (ldelf_search_needed): "$ORIGINAL" or "${ORIGIN}AL" name a
    /// literal directory, while "$ORIGIN}" (unbalanced) is still $ORIGIN. buildAL/ holds the dependency, so a resolver
    /// that expanded tokens inside a word would wrongly find it (the real ld decides each case).
    /// </summary>
    [TestCase("$ORIGINAL", false)]
    [TestCase("${ORIGIN}AL", false)]
    [TestCase("$ORIGIN.d", false)]
    [TestCase("$ORIGIN}/../buildAL", true)]
    [TestCase("${ORIGIN}/../buildAL", true)]
    [TestCase("x$ORIGIN/../buildAL", false)]
    public void A_token_in_a_runpath_is_a_whole_path_component_to_ld(string element, bool found)
    {
        Fx.SharedLib("buildAL/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.Sh("mkdir -p build.d && cp buildAL/libdep.so.1 build.d/");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: $"buildAL/libdep.so.1 -Wl,--enable-new-dtags,-rpath,'{element}'");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: found,
            noFixBecause: "the case is about where ld looks, not the advisor");
    }

    [Test]
    public void An_unused_as_needed_library_is_dropped_before_its_dependencies_are_searched()
    {
        FooNeedingDepIn();
        File.Delete(Fx.P("deps/libdep.so.1"));
        Fx.Object("other.o", "int main(void){return 0;}\n");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "other.o", "-Lbuild", "-lfoo"), expectSuccess: true);
        Assert.That(report.Notes, Has.Some.Contains("dropped by --as-needed"));
    }

    [Test]
    public void The_same_library_without_as_needed_is_kept_and_its_dependency_is_missing()
    {
        FooNeedingDepIn();
        Fx.Object("other.o", "int main(void){return 0;}\n");
        AssertAgreesWithLd(Gcc("-o", "app", "other.o", "-Lbuild", "-Wl,--no-as-needed", "-lfoo"), expectSuccess: false, hints: ["deps"]);
    }

    [Test]
    public void An_as_needed_library_used_by_an_earlier_kept_library_is_kept()
    {
        // main uses bar; libbar uses foo_fn from libfoo; libfoo needs the missing-from-search libdep.
        FooNeedingDepIn();
        Fx.SharedLib("build/libbar.so", "int foo_fn(void);\nint bar_fn(void){return foo_fn();}\n", extra: "build/libfoo.so");
        Fx.Object("usebar.o", "int bar_fn(void);\nint main(void){return bar_fn()-1;}\n");
        AssertAgreesWithLd(Gcc("-o", "app", "usebar.o", "-Lbuild", "-lbar", "-lfoo"), expectSuccess: false, hints: ["deps"]);
    }

    /// <summary>
    /// binutils cannot emit DT_RPATH and DT_RUNPATH together, so the fixture is retagged: linked with an old-style
    /// RPATH and a SONAME holding the RUNPATH string, then the DT_SONAME tag (14) is rewritten to DT_RUNPATH (29).
    /// </summary>
    private void FooWithRpathAndRunpath(string rpath, string runpath)
    {
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, soname: runpath, extra: $"deps/libdep.so.1 -Wl,--disable-new-dtags,-rpath,{rpath}");
        var bytes = File.ReadAllBytes(Fx.P("build/libfoo.so"));
        long phoff = BitConverter.ToInt64(bytes, 32);
        int phnum = BitConverter.ToUInt16(bytes, 56);
        for (int i = 0; i < phnum; i++)
        {
            int ph = (int)phoff + i * 56;
            if (BitConverter.ToUInt32(bytes, ph) != 2) continue; // PT_DYNAMIC
            long off = BitConverter.ToInt64(bytes, ph + 8);
            for (int e = (int)off; BitConverter.ToInt64(bytes, e) != 0; e += 16)
                if (BitConverter.ToInt64(bytes, e) == 14) BitConverter.TryWriteBytes(bytes.AsSpan(e), 29L);
        }
        File.WriteAllBytes(Fx.P("build/libfoo.so"), bytes);
        var readelf = global::NativeLinkGuard.Toolchain.ProcessRunner.Run("readelf", ["-d", Fx.P("build/libfoo.so")]).StandardOutput;
        Assert.That(readelf, Does.Contain("(RPATH)").And.Contain("(RUNPATH)"), "the retagged fixture has both tags");
    }

    [Test]
    public void Rpath_is_ignored_when_runpath_exists()
    {
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1");
        FooWithRpathAndRunpath(rpath: Fx.P("deps"), runpath: Fx.P("nowhere"));
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false);
        Assert.That(report.Findings.Single(f => f.Code == "NLG0002").Searched.Select(s => s.Rule), Does.Contain("DT_RUNPATH of the needing library").And.No.Contain("DT_RPATH of the needing library"));
    }

    [Test]
    public void Runpath_is_searched_when_both_exist()
    {
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1");
        FooWithRpathAndRunpath(rpath: Fx.P("nowhere"), runpath: Fx.P("deps"));
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }
}
