namespace NativeLinkGuard.Tests.Differential;

/// <summary>ld-rules §3 (linker scripts) and §4.4 (ld.so.conf under a sysroot).</summary>
public sealed class LinkerScriptAndConfTests : DifferentialTestBase
{
    [Test]
    public void Script_member_is_found_next_to_the_script()
    {
        Fx.SharedLib("build/libfoo_impl.so.1", Foo, soname: "libfoo_impl.so.1");
        Fx.Write("build/libfoo.so", "/* GNU ld script */\nINPUT ( libfoo_impl.so.1 )\n");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Minus_l_inside_a_script_is_an_ordinary_search_and_minus_L_fixes_it()
    {
        Fx.SharedLib("impl/libfooimpl.so", Foo);
        Fx.Write("build/libfoo.so", "GROUP ( -lfooimpl )\n");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false, hints: ["impl"]);
    }

    [Test]
    public void Missing_absolute_script_member_is_reported()
    {
        Fx.Write("build/libfoo.so", "GROUP ( /nonexistent/nlg/libfoo.so.1 AS_NEEDED ( /nonexistent/nlg/libbar.so.1 ) )\n");
        Fx.Object("main.o", "int main(void){return 0;}\n");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false,
            noFixBecause: "the script's members exist nowhere; only creating them or editing the script would do");
    }

    [Test]
    public void Script_dependency_is_walked_for_needed_entries()
    {
        FooNeedingDepIn();
        File.Move(Fx.P("build/libfoo.so"), Fx.P("build/libfoo_real.so"));
        Fx.Write("build/libfoo.so", "INPUT ( libfoo_real.so )\n");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false, hints: ["deps"]);
    }

    [Test]
    public void Ld_so_conf_in_the_sysroot_with_a_relative_include_is_searched()
    {
        FooNeedingDepIn(depDir: "sysroot/opt/deps");
        Fx.Write("sysroot/etc/ld.so.conf", "# test\ninclude ld.so.conf.d/*.conf\n");
        Fx.Write("sysroot/etc/ld.so.conf.d/deps.conf", "/opt/deps/\n");
        AssertAgreesWithLd(Gcc("--sysroot=" + Fx.P("sysroot"), "-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Ld_so_conf_absolute_include_reads_the_host_not_the_sysroot()
    {
        FooNeedingDepIn(depDir: "sysroot/opt/deps");
        Fx.Write("sysroot/etc/ld.so.conf", $"include {Fx.P("sysroot/etc/nlg.d")}/*.conf\ninclude /etc/nlg-nonexistent.d/*.conf\n");
        Fx.Write("sysroot/etc/nlg.d/deps.conf", "/opt/deps\n");
        // The absolute include is read as written (a host path that happens to be our sysroot's), its dirs get S.
        AssertAgreesWithLd(Gcc("--sysroot=" + Fx.P("sysroot"), "-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Response_file_link_is_expanded()
    {
        FooNeedingDepIn();
        Fx.Write("link.rsp", "-o app main.o\n-Lbuild -lfoo\n");
        AssertAgreesWithLd(Gcc("@link.rsp"), expectSuccess: false, hints: ["deps"]);
    }

    [Test]
    public void Script_for_another_output_format_is_skipped_as_incompatible_when_searched()
    {
        Fx.SharedLib("build/libreal.so", Foo);
        Fx.Write("build/libfoo.so", "OUTPUT_FORMAT(elf32-i386)\nINPUT ( libreal.so )\n");
        Fx.Object("main.o", MainUsesFoo);
        // -Lbuild -lreal would fix it (ld confirms it links); the advisor does not propose a library a skipped script names.
        Assert.That(Fx.RealLink(Gcc("-o", "app", "main.o", "-Lbuild", "-lreal")).Succeeded, Is.True);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false,
            noFixBecause: "the advisor does not look inside a skipped script (issue 15)");
        Assert.That(report.Findings.Select(f => f.Code), Is.EquivalentTo(new[] { "NLG0003", "NLG0001" }));
    }

    [Test]
    public void Script_for_another_output_format_named_by_path_is_used()
    {
        Fx.SharedLib("build/libreal.so", Foo);
        Fx.Write("build/libfoo.so", "/* odd */\nOUTPUT_FORMAT(elf32-i386)\nINPUT ( libreal.so )\n");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "build/libfoo.so"), expectSuccess: true);
    }

    [Test]
    public void Script_syntax_error_fails_the_link_with_lds_line()
    {
        Fx.SharedLib("build/libreal.so", Foo);
        Fx.Write("build/libfoo.so", "/* x */\nGROUP ( libreal.so ) )\n");
        Fx.Object("main.o", MainUsesFoo);
        var real = Fx.RealLink(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"));
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false,
            noFixBecause: "only editing the script fixes a syntax error, and we never edit a user's file");
        var f = report.Findings.Single();
        Assert.That(f.Code, Is.EqualTo("NLG0014"));
        Assert.That(real.StandardError, Does.Contain(f.LdMessage));
    }
}
