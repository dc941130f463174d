using System.Text.Json;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Toolchain;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Cli;

[Category("RequiresCc")]
public sealed class CheckCommandTests
{
    private LinkFixture _fx = null!;

    [SetUp]
    public void Build()
    {
        Tool.RequireOnPath("gcc");
        _fx = new LinkFixture();
        _fx.SharedLib("deps/libdep.so.1", "int dep_fn(void){return 1;}\n", soname: "libdep.so.1");
        _fx.SharedLib("build/libfoo.so", "int dep_fn(void);\nint foo_fn(void){return dep_fn();}\n", extra: "deps/libdep.so.1");
        _fx.Object("main.o", "int foo_fn(void);\nint main(void){return foo_fn()-1;}\n");
    }

    [TearDown]
    public void Clean() => _fx?.Dispose();

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Test]
    public void Exit_code_is_1_for_a_predicted_failure_and_0_for_a_predicted_success()
    {
        Assert.That(Run("check", "--cwd", _fx.Root, "--", "gcc", "-o", "app", "main.o", "-Lbuild", "-lfoo").Code, Is.EqualTo(1));
        Assert.That(Run("check", "--cwd", _fx.Root, "--", "gcc", "-o", "app", "main.o", "-Lbuild", "-lfoo", "-Wl,-rpath-link,deps").Code, Is.EqualTo(0));
    }

    [Test]
    public void Usage_errors_exit_with_2()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Run().Code, Is.EqualTo(2));
            Assert.That(Run("check").Code, Is.EqualTo(2));
            Assert.That(Run("check", "--format", "xml", "--", "gcc").Code, Is.EqualTo(2));
            Assert.That(Run("bogus").Code, Is.EqualTo(2));
            Assert.That(Run("check", "--cwd", _fx.P("nope"), "--", "gcc").Code, Is.EqualTo(2));
            Assert.That(Run("check", "--", "nlg-no-such-compiler", "-o", "x").Code, Is.EqualTo(2), "a missing toolchain means the check could not run");
        }
    }

    [Test]
    public void A_command_that_is_no_link_is_not_checked_and_quotes_no_linker()
    {
        // The class: any program that is neither a linker nor a driver that knows -### (ar, cp, a shell script).
        // Its own refusal, not ours, is what the message quotes.
        Tool.RequireOnPath("ar");
        var ar = ProcessRunner.Run("ar", ["-###"], workingDirectory: _fx.Root);
        var (code, text, _) = Run("check", "--cwd", _fx.Root, "--", "ar", "qc", "libx.a", "main.o");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ar.ExitCode, Is.Not.Zero, "ar refuses -###");
            Assert.That(code, Is.EqualTo(2), "exit 2: the check could not run");
            Assert.That(text, Does.Contain(": not checked"));
            Assert.That(text, Does.Not.Contain("predicted to fail"));
            Assert.That(text, Does.Not.Contain("will say"));
            Assert.That(text, Does.Contain("NLG9001"));
            Assert.That(text, Does.Contain(ar.StandardError.Split('\n')[0].Trim()));
        }
    }

    [Test]
    public void Json_output_follows_the_documented_schema()
    {
        var (code, json, _) = Run("check", "--format", "json", "--hint-dir", _fx.P("deps"), "--cwd", _fx.Root, "--", "gcc", "-o", "app", "main.o", "-Lbuild", "-lfoo");
        Assert.That(code, Is.EqualTo(1));
        using var doc = JsonDocument.Parse(json);
        var link = doc.RootElement.GetProperty("links")[0];
        var f = link.GetProperty("findings")[0];
        var s = f.GetProperty("suggestions")[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.RootElement.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(1));
            Assert.That(link.GetProperty("output").GetString(), Is.EqualTo("app"));
            Assert.That(link.GetProperty("predictedOutcome").GetString(), Is.EqualTo("fails"));
            Assert.That(f.GetProperty("code").GetString(), Is.EqualTo("NLG0002"));
            Assert.That(f.GetProperty("neededBy").GetString(), Is.EqualTo("build/libfoo.so"));
            Assert.That(f.GetProperty("chain").EnumerateArray().Select(x => x.GetString()), Is.EqualTo(new[] { "app", "libfoo.so", "libdep.so.1" }));
            Assert.That(f.GetProperty("searched").GetArrayLength(), Is.GreaterThan(0));
            Assert.That(s.GetProperty("quality").GetString(), Is.EqualTo("proper"));
            Assert.That(s.GetProperty("flags")[0].GetString(), Is.EqualTo("-Wl,-rpath-link," + _fx.P("deps")));
            Assert.That(s.GetProperty("cmake").GetString(), Does.StartWith("-DCMAKE_EXE_LINKER_FLAGS="));
        }
    }

    [Test]
    public void Sarif_output_has_the_2_1_0_shape()
    {
        var (_, sarif, _) = Run("check", "--format", "sarif", "--cwd", _fx.Root, "--", "gcc", "-o", "app", "main.o", "-Lbuild", "-lfoo");
        using var doc = JsonDocument.Parse(sarif);
        var run = doc.RootElement.GetProperty("runs")[0];
        var result = run.GetProperty("results")[0];
        var ruleIds = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.RootElement.GetProperty("version").GetString(), Is.EqualTo("2.1.0"));
            Assert.That(result.GetProperty("ruleId").GetString(), Is.EqualTo("NLG0002"));
            Assert.That(ruleIds, Does.Contain("NLG0002"));
            Assert.That(result.GetProperty("level").GetString(), Is.EqualTo("error"));
            Assert.That(result.GetProperty("message").GetProperty("text").GetString(), Does.Contain("libdep.so.1"));
        }
    }
}
