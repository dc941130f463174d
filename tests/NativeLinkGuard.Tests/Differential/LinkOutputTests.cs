using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// The one prediction of what a link writes (Resolution/LinkOutput, used by the CMake front end for libraries not
/// built yet and by the run-time check of links ld does not check): its DT_NEEDED, DT_RUNPATH/DT_RPATH and SONAME
/// equal those of the file the real link writes.
/// </summary>
public sealed class LinkOutputTests : DifferentialTestBase
{
    private const string UsesBoth = "int dep_fn(void); int noso_fn(void);\nint top_fn(void){return dep_fn()+noso_fn();}\n";
    private const string MainUsesBoth = "int dep_fn(void); int noso_fn(void);\nint main(void){return dep_fn()+noso_fn()-2;}\n";

    private void Layout()
    {
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.Sh("ln -s libdep.so.1 deps/libdep.so");
        // No SONAME, linked by a relative path: ld records the path as given ("build/libnoso.so").
        Fx.SharedLib("build/libnoso.so", "int noso_fn(void){return 1;}\n");
        Fx.Object("top.o", UsesBoth);
        Fx.Object("main.o", MainUsesBoth);
    }

    [TestCase("-shared", "-o", "out/libtop.so", "top.o", "-Wl,-soname,libtop.so.1", "-Ldeps", "-ldep", "build/libnoso.so",
        "-Wl,-rpath,/opt/x:$ORIGIN/../lib")]
    [TestCase("-o", "out/app", "main.o", "build/libnoso.so", "-Ldeps", "-ldep", "-Wl,--disable-new-dtags",
        "-Wl,-rpath,/opt/y")]
    [TestCase("-o", "out/app-run-path", "main.o", "-Ldeps", "-ldep", "build/libnoso.so")]
    public void The_predicted_dynamic_section_is_the_one_the_real_link_writes(params string[] args)
    {
        Layout();
        Directory.CreateDirectory(Fx.P("out"));
        // Without -rpath a native GNU ld records LD_RUN_PATH (the third case).
        Fx.Environment["LD_RUN_PATH"] = "/opt/run";
        var report = Fx.Check(Gcc(args));
        var predicted = report.PredictedOutput;
        string output = args[Array.IndexOf(args, "-o") + 1];
        Assert.That(ElfReader.TryRead(Fx.P(output), out var real, out var error), Is.True, error?.Message);
        Assert.That(predicted, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(predicted!.Needed, Is.EquivalentTo(real!.Needed), "DT_NEEDED");
            Assert.That(predicted.Runpath, Is.EqualTo(real.Runpath), "DT_RUNPATH");
            Assert.That(predicted.Rpath, Is.EqualTo(real.Rpath), "DT_RPATH");
            Assert.That(predicted.Soname, Is.EqualTo(real.Soname), "SONAME");
            Assert.That(predicted.IsSharedObject, Is.EqualTo(args.Contains("-shared")), "ELF type");
        }
    }
}
