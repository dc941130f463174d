using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// A real cross toolchain (Debian's aarch64-linux-gnu-gcc): its ld is not native, so LD_LIBRARY_PATH and LD_RUN_PATH
/// are not searched for DT_NEEDED (ld-rules §11); the probe must find that out, not guess it from the name.
/// </summary>
public sealed class CrossToolchainTests : DifferentialTestBase
{
    private const string Cc = "aarch64-linux-gnu-gcc";

    private void CrossFooNeedingDep()
    {
        Tool.RequireOnPath(Cc);
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1", compiler: Cc);
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "deps/libdep.so.1", compiler: Cc);
        Fx.Object("main.o", MainUsesFoo, compiler: Cc);
    }

    [Test]
    public void Cross_linker_ignores_ld_library_path_for_dependencies()
    {
        CrossFooNeedingDep();
        Fx.Environment["LD_LIBRARY_PATH"] = Fx.P("deps");
        var report = AssertAgreesWithLd([Cc, "-o", "app", "main.o", "-Lbuild", "-lfoo"], expectSuccess: false);
        Assert.That(report.Linker!.Native, Is.False);
        Assert.That(report.Findings.Single(f => f.Code == "NLG0002").Suggestions.Select(s => s.Environment), Has.All.Null, "LD_LIBRARY_PATH cannot help a cross ld");
    }

    [Test]
    public void Cross_linker_finds_dependencies_through_rpath_link()
    {
        CrossFooNeedingDep();
        AssertAgreesWithLd([Cc, "-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"], expectSuccess: true);
    }

    [Test]
    public void Host_library_reached_through_minus_L_is_skipped_as_incompatible_by_the_cross_linker()
    {
        CrossFooNeedingDep();
        Fx.SharedLib("host/libbar.so", Foo.Replace("foo_fn", "bar_fn"));
        Fx.SharedLib("arm/libbar.so", Foo.Replace("foo_fn", "bar_fn"), compiler: Cc);
        var report = AssertAgreesWithLd([Cc, "-o", "app", "main.o", "-Lbuild", "-Lhost", "-lfoo", "-lbar", "-Wl,-rpath-link,deps"], expectSuccess: false, hints: ["arm"]);
        Assert.That(report.Findings.Select(f => f.Code), Does.Contain("NLG0003"));
    }
}
