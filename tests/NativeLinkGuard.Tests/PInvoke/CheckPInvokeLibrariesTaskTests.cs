using NativeLinkGuard.Tasks;
using NativeLinkGuard.Tests.Tasks;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.PInvoke;

/// <summary>The MSBuild task on the fixture app's build output: NLG0016 warnings (errors when gated), the fix in the line, the report.</summary>
[Category("RequiresCc")]
[NonParallelizable]
public sealed class CheckPInvokeLibrariesTaskTests
{
    [Test]
    public void Libraries_that_will_not_load_are_NLG0016_warnings_or_errors_when_gated()
    {
        Tool.RequireOnPath("gcc", "dotnet");
        var fx = PInvokeAppFixture.Get();
        Assert.That(fx.BuildError, Is.Null, fx.BuildError);
        string app = Path.Combine(fx.Build, "PInvokeApp.dll");
        string report = fx.P("obj/pinvoke.json");

        var engine = new FakeBuildEngine();
        var task = new CheckPInvokeLibraries { BuildEngine = engine, App = app, ProjectDirectory = fx.Root, HintDirectories = fx.Fixtures, ReportFile = report };
        Assert.That(task.Execute(), Is.True);
        Assert.That(engine.Warnings.Select(w => w.Code).Distinct(), Is.EqualTo(new[] { "NLG0016" }));
        Assert.That(task.NotLoaded, Is.EqualTo(engine.Warnings.Count));
        var x = engine.Warnings.Single(w => w.Message?.Contains("of P.X in", StringComparison.Ordinal) == true);
        Assert.That(x.Message, Does.Contain("Fix: ship it with the app").And.Contain("CopyToPublishDirectory=\"PreserveNewest\""));
        Assert.That(x.File, Is.EqualTo(app));
        Assert.That(File.ReadAllText(report), Does.Contain("\"command\": \"pinvoke\""));

        var gated = new FakeBuildEngine();
        Assert.That(new CheckPInvokeLibraries { BuildEngine = gated, App = app, ProjectDirectory = fx.Root, FailOnNotLoadable = true }.Execute(), Is.False);
        Assert.That(gated.Errors.Select(e => e.Code).Distinct(), Is.EqualTo(new[] { "NLG0016" }));

        // No app there (a library project, nothing built): nothing to say.
        var none = new FakeBuildEngine();
        Assert.That(new CheckPInvokeLibraries { BuildEngine = none, App = fx.P("missing/App.dll"), ProjectDirectory = fx.Root }.Execute(), Is.True);
        Assert.That(none.Warnings, Is.Empty);
    }
}
