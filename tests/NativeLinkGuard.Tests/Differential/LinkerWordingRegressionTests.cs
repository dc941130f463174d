using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// The line "ld will say" is a line the real linker said, in lld's words under lld: found when the random topology
/// comparison began to check every finding's line against the real stderr (issue 16). Each case is compared with
/// what the real ld and lld print here, never with a copied string.
/// </summary>
public sealed class LinkerWordingRegressionTests : SymbolDifferentialTestBase
{
    [Test]
    public void Lld_words_a_script_member_it_cannot_find_with_the_script_and_line()
    {
        // Random case 3000009:0: lld says "SCRIPT:LINE: unable to find NAME" for a relative member; "$SYSROOT" is
        // no prefix to lld 14 (a relative name), and "=/x" opens SYSROOT + "/" + "/x".
        Tool.RequireOnPath("ld.lld");
        Fx.SharedLib("s/usr/lib/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        Fx.Write("a/librel.so", "/* line 1 */\nGROUP ( libnlgnothere.so.1 )\n");
        Fx.Write("a/libsys.so", "GROUP ( $SYSROOT/usr/lib/libfoo.so )\n");
        Fx.Write("a/libeq.so", "GROUP ( =/usr/lib/libnlgnothere.so )\n");
        Fx.Write("a/libsysnot.so", "GROUP ( $SYSROOT/usr/lib/libnlgnothere.so )\n");
        string sysroot = "--sysroot=" + Fx.P("s");
        foreach (var script in new[] { "a/librel.so", "a/libsys.so", "a/libeq.so", "a/libsysnot.so" })
        {
            string[] link = [sysroot, "-o", "app", "main.o", script];
            var report = AssertAgreesWithLd(Lld(link), expectSuccess: false,
                noFixBecause: "the member, named in a user's script, exists nowhere lld looks");
            AssertEveryLineSaid(report, Lld(link));
        }
        // GNU ld takes $SYSROOT as the sysroot: the same script links; it names a missing member by the file tried.
        AssertAgreesWithLd(Gcc(sysroot, "-o", "app", "main.o", "a/libsys.so"), expectSuccess: true);
        foreach (var script in new[] { "a/libeq.so", "a/libsysnot.so" })
        {
            string[] link = Gcc(sysroot, "-o", "app", "main.o", script);
            AssertEveryLineSaid(AssertAgreesWithLd(link, expectSuccess: false, noFixBecause: "it exists nowhere"), link);
        }
    }

    [Test]
    public void Lld_words_a_text_file_that_is_no_script_as_an_unknown_directive()
    {
        // Random case 3000001:0: ld says "FILE:1: syntax error", lld "FILE:1: unknown directive: not".
        Tool.RequireOnPath("ld.lld");
        Fx.Object("main.o", MainUsesFoo);
        Fx.Write("d/libfoo.so", "\n  not a library\n");
        foreach (var link in new[] { Gcc("-o", "app", "main.o", "-Ld", "-lfoo"), Lld("-o", "app", "main.o", "-Ld", "-lfoo") })
        {
            var report = AssertAgreesWithLd(link, expectSuccess: false,
                noFixBecause: "the file is not a library; only its owner can replace it");
            AssertEveryLineSaid(report, link);
        }
    }

    [Test]
    public void Lld_words_a_static_link_of_a_dynamic_object_and_an_input_for_another_machine()
    {
        // Random cases 3000000:4 and 3000001:2: lld's "attempted static link of dynamic object PATH" has no quotes;
        // a path to a library of another machine is "PATH is incompatible with elf64-x86-64".
        Tool.RequireOnPath("ld.lld");
        Tool.RequireOnPath("aarch64-linux-gnu-gcc");
        Fx.SharedLib("b/libfoo.so", Foo);
        Fx.SharedLib("arm/libarm.so", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.Object("main.o", MainUsesFoo);
        string[][] links =
        [
            Lld("-o", "app", "main.o", "-Wl,-Bstatic", "b/libfoo.so", "-Wl,-Bdynamic"),
            Gcc("-o", "app", "main.o", "-Wl,-Bstatic", "b/libfoo.so", "-Wl,-Bdynamic"),
            Lld("-o", "app", "main.o", "arm/libarm.so"),
            Gcc("-o", "app", "main.o", "arm/libarm.so"),
        ];
        foreach (var link in links)
        {
            var report = AssertAgreesWithLd(link, expectSuccess: false,
                noFixBecause: "only the build knows which library it wants here");
            AssertEveryLineSaid(report, link);
        }
    }

    [Test]
    public void Dso_missing_names_the_symbol_with_the_version_the_library_defines()
    {
        // Random case 3100007:5: ld says "undefined reference to symbol 'fn@@VERS_2'" when the library that
        // only a DT_NEEDED brings (for libbar, which main uses) defines fn at a default version.
        Fx.Write("v.map", "VERS_1 { local: *; };\nVERS_2 { global: foo_fn; } VERS_1;\n");
        Fx.SharedLib("deps/libnlgdep.so.1", Foo, soname: "libnlgdep.so.1", extra: "-Wl,--version-script,v.map");
        Fx.SharedLib("build/libbar.so", "int foo_fn(void);\nint bar_fn(void){return foo_fn();}\n",
            extra: "-Wl,--no-as-needed deps/libnlgdep.so.1");
        Fx.Object("main.o", "int bar_fn(void);\nint foo_fn(void);\nint main(void){return bar_fn()+foo_fn();}\n");
        string[] link = Gcc("-o", "app", "main.o", "-Wl,-rpath-link,deps", "build/libbar.so");
        var report = AssertSymbolsAgree(link, expectSuccess: false, ["NLG0008"]);
        AssertEveryLineSaid(report, link);
    }

    /// <summary>Every finding's line "ld will say" is a line of the real stderr for LINK, after the linker's name
    /// (ld's "ld:FILE:LINE: " form for scripts, lld's "error: ").</summary>
    private void AssertEveryLineSaid(LinkReport report, string[] link)
    {
        string stderr = Fx.RealLink(link).StandardError;
        var lines = stderr.Split('\n');
        foreach (var f in report.Findings.Where(f => f.LdMessage.Length > 0))
            Assert.That(lines.Any(l => l == f.LdMessage || l.EndsWith(":" + f.LdMessage, StringComparison.Ordinal)
                    || l.EndsWith(": " + f.LdMessage, StringComparison.Ordinal)), Is.True,
                $"{f.Code} '{f.LdMessage}' is not a line the linker said for {string.Join(' ', link)}:\n{stderr}");
        Assert.That(report.Findings.Count(f => f.LdMessage.Length > 0), Is.GreaterThan(0), "a finding with a line");
    }
}
