namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// ld-rules §4.7: a DT_NEEDED that is a path. gcc records one when a library without a SONAME is linked by path:
/// "/abs/libdep.so" (absolute), "sub/libdep.so" (relative). An absolute NAME is opened as is; a relative one is
/// appended to every element of the DT_NEEDED search, never tried against the cwd.
/// </summary>
public sealed class PathNeededTests : DifferentialTestBase
{
    private void FooNeedingSonamelessDep(string depPath)
    {
        Fx.SharedLib(depPath, Dep);
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: depPath);
        Fx.Object("main.o", MainUsesFoo);
    }

    [Test]
    public void An_absolute_needed_path_that_exists_is_opened_as_is()
    {
        FooNeedingSonamelessDep(Fx.P("deps/libdep.so"));
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void An_absolute_needed_path_that_moved_is_missing_and_no_search_finds_it()
    {
        // The crash of issue 16: a fix advisor listed a directory with the absolute NAME as a pattern.
        FooNeedingSonamelessDep(Fx.P("deps/libdep.so"));
        Fx.Sh("mkdir -p moved && mv deps/libdep.so moved/");
        // -rpath-link to where it now is does not help: ld never searches for an absolute NAME (the real ld confirms).
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,moved"), expectSuccess: false, hints: ["moved"],
            noFixBecause: "only restoring the file at that path or relinking libfoo.so fixes it; no flag does");
        Assert.That(report.Findings.Select(f => f.Code), Has.None.EqualTo("NLG9001"));
        Assert.That(LinkFixture.Missing(report), Is.EqualTo(new[] { Fx.P("deps/libdep.so") }));
    }

    [Test]
    public void A_relative_needed_path_is_not_tried_against_the_working_directory()
    {
        FooNeedingSonamelessDep("sub/libdep.so");
        // sub/libdep.so exists relative to the cwd, but ld only appends NAME to search elements.
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false, hints: ["sub"],
            noFixBecause: "the proper fix, -rpath-link to the base dir (proven below), is not yet proposed by the advisor (issue 15)");
    }

    [Test]
    public void A_relative_needed_path_is_appended_to_each_search_element()
    {
        FooNeedingSonamelessDep("sub/libdep.so");
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link," + Fx.Root), expectSuccess: true);
        // The directory holding the file itself is no use: NAME already carries "sub/".
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link," + Fx.P("sub")), expectSuccess: false, hints: ["sub"],
            noFixBecause: "the proper fix, -rpath-link to the base dir (proven above), is not yet proposed by the advisor (issue 15)");
    }
}
