using NativeLinkGuard.Commands;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Diagnostics;

[Category("RequiresCc")]
public sealed class SuggestionVerifierTests
{
    [Test]
    public void A_suggestion_that_would_not_make_ld_find_the_library_is_dropped_and_one_that_would_is_kept()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new LinkFixture();
        fx.SharedLib("deps/libdep.so.1", "int dep_fn(void){return 1;}\n", soname: "libdep.so.1");
        fx.SharedLib("build/libfoo.so", "int dep_fn(void);\nint foo_fn(void){return dep_fn();}\n", extra: "deps/libdep.so.1");
        string[] ldArgv = ["ld", "-o", "app", "main.o", "-Lbuild", "-lfoo"];
        var ctx = new ResolverContext(LdArgumentParser.Parse(ldArgv), BuiltInToolchain.Linker(null), fx.Root, fx.Environment) { LinkerArguments = ldArgv };
        var files = new LibraryFileCache();
        var problem = new LinkResolver(ctx, files).Resolve().Problems.OfType<NeededNotFound>().Single();

        var wrongDir = new Suggestion(SuggestionQuality.Proper, "-L deps (cannot work for DT_NEEDED)", ["-L" + fx.P("deps")], "test");
        var rightDir = new Suggestion(SuggestionQuality.Proper, "-rpath-link deps", ["-rpath-link", fx.P("deps")], "test");
        var symlink = new Suggestion(SuggestionQuality.Proper, "symlink", ["-rpath-link", fx.P("priv")], "test",
            FileOperations: [FileOperation.Mkdir(fx.P("priv")), FileOperation.Symlink(fx.P("priv/libdep.so.1"), fx.P("deps/libdep.so.1"))]);
        var finding = new Finding
        {
            Code = "NLG0002", Severity = Severity.Error, Message = "m", LdMessage = "ld", Library = "libdep.so.1",
            Suggestions = [wrongDir, rightDir, symlink],
        };

        var verified = new SuggestionVerifier(ctx, files, viaDriver: false).Verify(finding, problem);

        Assert.That(verified.Suggestions.Select(s => s.Summary), Is.EqualTo(new[] { "-rpath-link deps", "symlink" }));
        Assert.That(verified.Suggestions.Select(s => s.Verified), Has.All.True);
        Assert.That(Directory.Exists(fx.P("priv")), Is.False, "verification never touches the disk");
    }
}
