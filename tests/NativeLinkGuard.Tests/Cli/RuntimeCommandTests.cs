using System.Text.Json;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Cli;

/// <summary><c>nativelinkguard runtime</c>: exit codes and the JSON shape of docs/json-schema.md.</summary>
[Category("RequiresCc")]
public sealed class RuntimeCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(["runtime", .. args], o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Test]
    public void Json_has_one_entry_per_file_with_loadable_libraries_and_findings()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new LinkFixture();
        fx.SharedLib("lib/libdep.so.1", "int dep_fn(void) { return 1; }", "libdep.so.1");
        fx.SharedLib("lib/libgood.so", "int dep_fn(void); int g(void) { return dep_fn(); }", "libgood.so", "-Wl,--no-as-needed lib/libdep.so.1 -Wl,-rpath,'$ORIGIN'");
        fx.SharedLib("lib/libbad.so", "int dep_fn(void); int b(void) { return dep_fn(); }", "libbad.so", "-Wl,--no-as-needed lib/libdep.so.1");

        var (code, json, _) = Run(fx.P("lib/libgood.so"), fx.P("lib/libbad.so"), "--format", "json", "--ld-library-path", "");
        Assert.That(code, Is.EqualTo(1));
        using var doc = JsonDocument.Parse(json);
        var files = doc.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.That(files.Select(f => f.GetProperty("loadable").GetBoolean()), Is.EqualTo(new[] { true, false }));
        var finding = files[1].GetProperty("findings").EnumerateArray().Single();
        Assert.That(finding.GetProperty("code").GetString(), Is.EqualTo("NLG0012"));
        Assert.That(finding.GetProperty("library").GetString(), Is.EqualTo("libdep.so.1"));
        Assert.That(finding.GetProperty("chain").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "libbad.so", "libdep.so.1" }));
        Assert.That(finding.GetProperty("suggestions").EnumerateArray().First().GetProperty("commands").EnumerateArray().Single().GetString(),
            Does.StartWith("patchelf --set-rpath '$ORIGIN'"));
        Assert.That(files[0].GetProperty("libraries").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "libdep.so.1").GetProperty("rule").GetString(),
            Is.EqualTo("DT_RUNPATH of libgood.so"));

        Assert.That(Run(fx.P("lib/libgood.so"), "--ld-library-path", "").Code, Is.EqualTo(0));
        var sarif = Run(fx.P("lib/libbad.so"), "--format", "sarif", "--ld-library-path", "");
        Assert.That(JsonDocument.Parse(sarif.Out).RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("ruleId").GetString(), Is.EqualTo("NLG0012"));
    }

    [Test]
    public void Usage_errors_exit_2()
    {
        Assert.That(Run().Code, Is.EqualTo(2));
        Assert.That(Run("x.so", "--format", "xml").Code, Is.EqualTo(2));
        Assert.That(Run("--bogus").Code, Is.EqualTo(2));
    }
}
