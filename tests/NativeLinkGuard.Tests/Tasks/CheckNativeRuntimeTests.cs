using NativeLinkGuard.Tasks;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Tasks;

/// <summary>The post-build runtime task over real shipped libraries, with a recording build engine.</summary>
[Category("RequiresCc")]
public sealed class CheckNativeRuntimeTests
{
    [Test]
    public void Shipped_library_whose_dependency_will_not_load_warns_with_the_fix_or_fails_when_asked()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new LinkFixture();
        fx.SharedLib("bin/runtimes/linux-x64/native/libdep.so.1", "int dep_fn(void) { return 1; }", "libdep.so.1");
        fx.SharedLib("bin/runtimes/linux-x64/native/libfoo.so", "int dep_fn(void); int foo(void) { return dep_fn(); }", "libfoo.so",
            "-Wl,--no-as-needed bin/runtimes/linux-x64/native/libdep.so.1");
        var items = new[] { new Microsoft.Build.Utilities.TaskItem("bin/runtimes/linux-x64/native/libfoo.so") };

        var engine = new FakeBuildEngine();
        var task = new CheckNativeRuntime { BuildEngine = engine, Files = items, ProjectDirectory = fx.Root, ReportFile = "obj/runtime.json" };
        Assert.That(task.Execute(), Is.True);
        var w = engine.Warnings.Single();
        Assert.That(w.Code, Is.EqualTo("NLG0012"));
        Assert.That(w.Message, Does.Contain("libdep.so.1, needed by libfoo.so").And.Contain("patchelf --set-rpath '$ORIGIN'"));
        Assert.That(task.NotLoadable, Is.EqualTo(1));
        Assert.That(File.ReadAllText(fx.P("obj/runtime.json")), Does.Contain("\"loadable\": false"));

        var failing = new FakeBuildEngine();
        Assert.That(new CheckNativeRuntime { BuildEngine = failing, Files = items, ProjectDirectory = fx.Root, FailOnNotLoadable = true }.Execute(), Is.False);
        Assert.That(failing.Errors.Single().Code, Is.EqualTo("NLG0012"));

        // The deployment's LD_LIBRARY_PATH, when it sets one, is honoured.
        var withPath = new FakeBuildEngine();
        new CheckNativeRuntime { BuildEngine = withPath, Files = items, ProjectDirectory = fx.Root, LdLibraryPath = fx.P("bin/runtimes/linux-x64/native") }.Execute();
        Assert.That(withPath.Warnings, Is.Empty);
    }
}
