using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Toolchain;

[Category("RequiresCc")]
public sealed class DriverExpansionCacheTests
{
    [Test]
    public void A_repeated_expansion_comes_from_the_cache_and_a_new_library_path_directory_misses_it()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new LinkFixture();
        fx.Environment["XDG_CACHE_HOME"] = fx.P("cache");
        fx.Environment["LIBRARY_PATH"] = fx.P("later/lib");
        string[] argv = ["gcc", "-o", "app", "main.o", "-lm"];
        var first = DriverExpansion.Expand(argv, fx.Root, fx.Environment);
        var second = DriverExpansion.Expand(argv, fx.Root, fx.Environment);
        Assert.That(first.Notes.Single(n => n.StartsWith("expanded", StringComparison.Ordinal)), Does.Not.Contain("cache"));
        Assert.That(second.Notes.Single(n => n.StartsWith("expanded", StringComparison.Ordinal)), Does.Contain("from the expansion cache"));
        Assert.That(second.LinkerArguments, Is.EqualTo(first.LinkerArguments));
        Assert.That(first.LinkerArguments, Has.None.Contains("later/lib"), "gcc passes only LIBRARY_PATH dirs that exist");

        // The directory appears: gcc now passes it, so the cached expansion must not be used.
        Directory.CreateDirectory(fx.P("later/lib"));
        var third = DriverExpansion.Expand(argv, fx.Root, fx.Environment);
        Assert.That(third.Notes.Single(n => n.StartsWith("expanded", StringComparison.Ordinal)), Does.Not.Contain("cache"));
        Assert.That(third.LinkerArguments, Has.Some.Contains("later/lib"));
    }
}
