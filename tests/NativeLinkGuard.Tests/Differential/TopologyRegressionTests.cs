namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// Disagreements the random topology run (Fuzzing/Topology) found, each shrunk to its rule and checked against the
/// real ld: what ld does after a fatal input, and what an --as-needed library that was dropped still does.
/// </summary>
public sealed class TopologyRegressionTests : DifferentialTestBase
{
    [Test]
    public void A_missing_input_stops_ld_before_it_searches_dt_needed_entries()
    {
        // libfoo.so's libdep.so.1 is nowhere ld searches, but ld never gets there: -lnlgnothere stops it first.
        FooNeedingDepIn();
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-lnlgnothere"), expectSuccess: false,
            noFixBecause: "no libnlgnothere exists anywhere");
        Assert.That(report.Findings.Select(f => f.Code), Has.None.EqualTo("NLG0002"));
        Assert.That(report.Notes, Has.Some.Contains("ld stops before it searches DT_NEEDED"));
    }

    [Test]
    public void An_unusable_input_is_fatal_and_later_missing_inputs_are_never_reported()
    {
        // A non-ELF libbad.so is read as a linker script: a syntax error ends the link there.
        Fx.Write("bad/libbad.so", "not a library\n");
        Fx.Object("main.o", "int main(void){return 0;}\n");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbad", "-lbad", "-lnlgnothere"), expectSuccess: false,
            noFixBecause: "only editing libbad.so fixes a script syntax error");
        Assert.That(report.Findings.Select(f => f.Code), Has.None.EqualTo("NLG0001"));
    }

    [Test]
    public void A_library_without_soname_given_by_path_does_not_satisfy_its_file_name_even_when_dropped_by_as_needed()
    {
        // libfoo.so needs "libdep.so" (linked with -Ldeps -ldep); the command line names the same file by path, and
        // --as-needed drops it (nothing uses dep_fn before libfoo.so). ld still searches "libdep.so", fails, and
        // dep_fn stays undefined.
        Fx.SharedLib("deps/libdep.so", Dep);
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "-Ldeps -ldep");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", Fx.P("deps/libdep.so"), "-Lbuild", "-lfoo"), expectSuccess: false, hints: ["deps"]);
    }

    [Test]
    public void A_dropped_as_needed_input_that_satisfies_a_later_needed_entry_has_its_own_needed_entries_searched()
    {
        // libmid.so.1 is on the command line before anything uses it (dropped); libfoo.so needs it, so ld loads it
        // then and searches its DT_NEEDED libdep.so.1, found through -rpath-link: dep_fn is defined, the link succeeds.
        FooNeedingMidNeedingDep();
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "mid/libmid.so.1", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"), expectSuccess: true);
        // Without -rpath-link the revived library's dependency is missing, as ld says.
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "mid/libmid.so.1", "-Lbuild", "-lfoo"), expectSuccess: false, hints: ["deps"]);
    }

    [Test]
    public void Dropped_as_needed_inputs_are_revived_to_any_depth()
    {
        // libdep.so.1 and libmid.so.1 are both dropped (nothing uses them yet); libfoo.so needs libmid.so.1, which
        // needs libdep.so.1: ld loads both (found seed 1393:3 of the long run), dep_fn is defined.
        FooNeedingMidNeedingDep();
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "deps/libdep.so.1", "mid/libmid.so.1", "-Lbuild", "-lfoo"), expectSuccess: true);
        Assert.That(report.Findings, Is.Empty);
    }

    [Test]
    public void Dso_missing_from_command_line_is_fatal_and_ends_the_walk_and_the_symbol_check()
    {
        // libfoo.so needs libdep.so.1 (found through -rpath-link) and then libother.so.1 (nowhere searched). The
        // program calls dep_fn itself: loading libdep.so.1 ends the link ("DSO missing"), so ld never searches
        // libother.so.1 nor reports libfoo.so's undefined other_fn.
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.SharedLib("hidden/libother.so.1", "int other_fn(void){return 1;}\n", soname: "libother.so.1");
        Fx.SharedLib("build/libfoo.so", "int dep_fn(void);\nint other_fn(void);\nint foo_fn(void){return dep_fn()+other_fn();}\n",
            extra: "-Wl,--no-as-needed deps/libdep.so.1 hidden/libother.so.1");
        Fx.Object("main.o", "int foo_fn(void);\nint dep_fn(void);\nint main(void){return foo_fn()+dep_fn()-3;}\n");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps"), expectSuccess: false,
            noFixBecause: "adding libdep.so.1 then meets the missing libother.so.1: no single suggestion fixes both");
        Assert.That(report.Findings.Select(f => f.Code), Is.EqualTo(new[] { "NLG0008" }));
    }

    /// <summary>build/libfoo.so → mid/libmid.so.1 → deps/libdep.so.1 (SONAMEs), main.o uses foo_fn.</summary>
    private void FooNeedingMidNeedingDep()
    {
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.SharedLib("mid/libmid.so.1", "int dep_fn(void);\nint mid_fn(void){return dep_fn();}\n", soname: "libmid.so.1", extra: "-Wl,--no-as-needed deps/libdep.so.1");
        Fx.SharedLib("build/libfoo.so", "int mid_fn(void);\nint foo_fn(void){return mid_fn();}\n", extra: "-Wl,--no-as-needed mid/libmid.so.1");
        Fx.Object("main.o", MainUsesFoo);
    }
}
