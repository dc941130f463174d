using System.Text.RegularExpressions;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// Issue 15, "say what the linker will say, and no more": where ld (--allow-shlib-undefined, -shared) or lld does not
/// search DT_NEEDED, the real link is silent and succeeds, so there is no NLG0001/NLG0002; the program's run-time load
/// is predicted instead and compared with the real loader on the linked program (LD_TRACE_LOADED_OBJECTS=1).
/// </summary>
public sealed partial class LinkerSilenceTests : DifferentialTestBase
{
    private static bool HasLld => ProcessRunner.FindOnPath("ld.lld", System.Environment.GetEnvironmentVariable("PATH")) is not null;

    private static string[] Lld(params string[] args) => ["gcc", "-fuse-ld=lld", .. args];

    /// <summary>
    /// The real link succeeds silently; then the names the real loader cannot find (with the program's own libraries
    /// reachable as the prediction assumes: LD_LIBRARY_PATH=<paramref name="ownLibraries"/>) are exactly the NLG0012/NLG0013 ones.
    /// </summary>
    private LinkReport AssertSilentAndLoadPredicted(string[] command, string program, string? ownLibraries = null)
    {
        var real = Fx.RealLink(command);
        var report = Fx.Check(command);
        var env = new Dictionary<string, string?>(Fx.Environment) { ["LD_TRACE_LOADED_OBJECTS"] = "1" };
        if (ownLibraries is not null) env["LD_LIBRARY_PATH"] = Fx.P(ownLibraries);
        var traced = ProcessRunner.Run(Fx.P(program), [], env, Fx.Root);
        var notFound = NotFound().Matches(traced.StandardOutput).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(real.Succeeded, Is.True, real.StandardError);
            Assert.That(real.StandardError, Does.Not.Contain("not found"), "the linker is silent about DT_NEEDED");
            Assert.That(report.Findings.Select(f => f.Code), Has.None.AnyOf(DiagnosticCodes.DirectLibraryNotFound, DiagnosticCodes.IndirectDependencyNotFound));
            Assert.That(report.Findings.Where(f => f.Code is DiagnosticCodes.NotLoadableAtRunTime or DiagnosticCodes.DriverLibraryAtRunTime).Select(f => f.Library).Order(StringComparer.Ordinal),
                Is.EqualTo(notFound), $"the real loader said:\n{traced.StandardOutput}{traced.StandardError}");
            Assert.That(report.Findings.Where(f => f.Code == DiagnosticCodes.NotLoadableAtRunTime).Select(f => f.Severity), Has.All.EqualTo(Severity.Warning));
        }
        return report;
    }

    [GeneratedRegex(@"^\s*(\S+) => not found", RegexOptions.Multiline)]
    private static partial Regex NotFound();

    [Test]
    public void Allow_shlib_undefined_reports_the_dependency_the_loader_will_not_find_with_its_trace()
    {
        FooNeedingDepIn();
        var report = AssertSilentAndLoadPredicted(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--allow-shlib-undefined", "-Wl,-rpath," + Fx.P("build")), "app");
        var f = report.Findings.Single(x => x.Code == DiagnosticCodes.NotLoadableAtRunTime);
        Assert.That(f.Chain, Is.EqualTo(new[] { "app", "libfoo.so", "libdep.so.1" }));
        Assert.That(f.Searched.Select(s => s.Directory), Does.Contain("/etc/ld.so.cache"), "ld.so's search trace");
        Assert.That(report.Findings.Select(x => x.Code), Does.Contain(DiagnosticCodes.ShlibUndefinedAllowed));
    }

    [Test]
    public void Allow_shlib_undefined_is_quiet_when_the_loader_finds_the_dependency()
    {
        // libfoo's own DT_RUNPATH reaches deps/ at run time, although ld was never asked to look.
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "deps/libdep.so.1 -Wl,-rpath,'$ORIGIN/../deps'");
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertSilentAndLoadPredicted(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--allow-shlib-undefined", "-Wl,-rpath," + Fx.P("build")), "app");
        Assert.That(report.Findings.Select(f => f.Code), Is.EqualTo(new[] { DiagnosticCodes.ShlibUndefinedAllowed }));
    }

    [Test]
    public void Own_libraries_off_the_run_path_are_taken_where_the_link_found_them()
    {
        FooNeedingDepIn();
        var report = AssertSilentAndLoadPredicted(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--allow-shlib-undefined"), "app", ownLibraries: "build");
        Assert.That(report.Findings.Single(f => f.Code == DiagnosticCodes.NotLoadableAtRunTime).Notes, Has.Some.Contains("as if on LD_LIBRARY_PATH"));
    }

    [Test]
    public void Shared_links_without_no_allow_shlib_undefined_report_no_missing_dependency()
    {
        FooNeedingDepIn();
        Fx.Object("bar.o", "int foo_fn(void);\nint bar_fn(void){return foo_fn();}\n");
        string[] command = Gcc("-shared", "-o", "libbar.so", "bar.o", "-Lbuild", "-lfoo");
        var real = Fx.RealLink(command);
        var report = Fx.Check(command);
        Assert.That(real.Succeeded && real.StandardError.Length == 0, Is.True, real.StandardError);
        Assert.That(report.Findings, Is.Empty, "ld says nothing; a library's loader context is the program that loads it");
    }

    [Test]
    public void Lld_reports_no_missing_dependency_and_predicts_the_load()
    {
        Tool.Require(HasLld, "needs ld.lld");
        FooNeedingDepIn();
        var report = AssertSilentAndLoadPredicted(Lld("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath," + Fx.P("build")), "app");
        Assert.That(report.Findings.Single().Code, Is.EqualTo(DiagnosticCodes.NotLoadableAtRunTime));
    }

    [Test]
    public void Lld_with_an_inherited_dt_rpath_loads_and_is_quiet()
    {
        Tool.Require(HasLld, "needs ld.lld");
        FooNeedingDepIn();
        // DT_RPATH of the program is inherited by libfoo.so at run time (DT_RUNPATH is not).
        var report = AssertSilentAndLoadPredicted(Lld("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,--disable-new-dtags", "-Wl,-rpath," + Fx.P("build") + ":" + Fx.P("deps")), "app");
        Assert.That(report.Findings, Is.Empty);
    }

    [Test]
    public void Lld_with_a_run_path_the_dependency_needs_but_new_dtags_is_reported()
    {
        Tool.Require(HasLld, "needs ld.lld");
        FooNeedingDepIn();
        // The same run path as DT_RUNPATH is the program's only: libfoo.so's dependency is not searched there.
        AssertSilentAndLoadPredicted(Lld("-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath," + Fx.P("build") + ":" + Fx.P("deps")), "app");
    }

    [Test]
    public void A_gpu_driver_library_is_information_under_allow_shlib_undefined()
    {
        Fx.SharedLib("cuda/lib64/stubs/libcuda.so", "int cuMemCreate(void){return 0;}\n", soname: "libcuda.so.1");
        Fx.SharedLib("build/libggml-cuda.so", "int cuMemCreate(void);\nint ggml_cuda_init(void){return cuMemCreate();}\n", extra: "-Lcuda/lib64/stubs -lcuda");
        Fx.Object("main.o", "int ggml_cuda_init(void);\nint main(void){return ggml_cuda_init();}\n");
        var report = AssertSilentAndLoadPredicted(Gcc("-o", "app", "main.o", "-Lbuild", "-lggml-cuda", "-Wl,--allow-shlib-undefined", "-Wl,-rpath," + Fx.P("build")), "app");
        Assert.That(report.Findings.Single(f => f.Library == "libcuda.so.1").Severity, Is.EqualTo(Severity.Info));
    }
}
