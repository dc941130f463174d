using System.Text.Json;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.PInvoke;

/// <summary><c>nativelinkguard pinvoke</c>: help, usage errors, exit codes and the three formats, on the fixture app.</summary>
[Category("RequiresCc")]
[NonParallelizable]
public sealed class PInvokeCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(["pinvoke", .. args], o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Test]
    public void Help_exits_0_and_a_wrong_command_line_exits_2()
    {
        var help = Run("--help");
        Assert.That(help.Code, Is.EqualTo(0));
        Assert.That(help.Out, Does.Contain("usage: nativelinkguard pinvoke [options] <app.dll | output-or-publish-dir>"));
        Assert.That(Run("--bogus", "x").Code, Is.EqualTo(2));
        Assert.That(Run().Code, Is.EqualTo(2));
        Assert.That(Run("a", "b").Code, Is.EqualTo(2));
        Assert.That(Run(".", "--format", "xml").Code, Is.EqualTo(2));
        using var empty = new TempDirectory();
        var none = Run(Path.Combine(empty.Path, "missing.dll"));
        Assert.That(none.Code, Is.EqualTo(2));
        var noApp = Run(empty.Path);
        Assert.That(noApp.Code, Is.EqualTo(2));
        Assert.That(noApp.Err, Does.Contain("no .NET app here"));
    }

    [Test]
    public void Json_text_and_sarif_report_the_same_libraries()
    {
        Tool.RequireOnPath("gcc", "dotnet");
        var fx = PInvokeAppFixture.Get();
        Assert.That(fx.BuildError, Is.Null, fx.BuildError);

        var (code, json, _) = Run(fx.Build, "--format", "json", "--ld-library-path", "", "--cwd", fx.Root);
        Assert.That(code, Is.EqualTo(1), "libraries that are nowhere do not load");
        using var doc = JsonDocument.Parse(json);
        var libs = doc.RootElement.GetProperty("libraries").EnumerateArray().ToList();
        var pkg = libs.Single(l => l.GetProperty("name").GetString() == "nlgpkg");
        Assert.That(pkg.GetProperty("loads").GetBoolean(), Is.True);
        Assert.That(pkg.GetProperty("path").GetString(), Does.EndWith("runtimes/linux-x64/native/libnlgpkg.so"));
        var x = libs.Single(l => l.GetProperty("importedBy").EnumerateArray().Any(i => i.GetString() == "PInvokeApp.dll:P.X"));
        Assert.That(x.GetProperty("loads").GetBoolean(), Is.False);
        Assert.That(x.GetProperty("tried").EnumerateArray().First().GetProperty("path").GetString(), Does.EndWith("runtimes/linux-x64/native/nlgx.so"));
        int notLoaded = libs.Count(l => !l.GetProperty("loads").GetBoolean());
        var notChecked = doc.RootElement.GetProperty("notChecked").EnumerateArray().ToList();
        Assert.That(notChecked.Select(n => n.GetProperty("member").GetString()), Is.EqualTo(new[] { "P.Computed" }), "the branch-chosen name");
        Assert.That(libs.Select(l => l.GetProperty("name").GetString()), Has.None.EqualTo("libnlgdep.so.1"));
        Assert.That(doc.RootElement.GetProperty("findings").GetArrayLength(), Is.EqualTo(notLoaded));

        var text = Run(fx.Build, "--ld-library-path", "", "--cwd", fx.Root);
        Assert.That(text.Out, Does.Contain($"{libs.Count - notLoaded} of {libs.Count} native libraries load"));
        var sarif = Run(fx.Build, "--format", "sarif", "--ld-library-path", "", "--cwd", fx.Root);
        using var s = JsonDocument.Parse(sarif.Out);
        Assert.That(s.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Count(r => r.GetProperty("ruleId").GetString() == "NLG0016"), Is.EqualTo(notLoaded));
    }
}
