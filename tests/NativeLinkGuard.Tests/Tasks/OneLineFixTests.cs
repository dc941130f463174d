using System.Text.Json;
using Microsoft.Build.Utilities;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;
using NativeLinkGuard.Tasks;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Tasks;

/// <summary>
/// Issue 15, point 5: the MSBuild warning line and the SARIF message carry the first proper fix in full — the file
/// operations and the flags — so the line alone is enough to act on; a replayed report gives the same line.
/// </summary>
[Category("RequiresCc")]
public sealed class OneLineFixTests
{
    private LinkFixture _fx = null!;

    [SetUp]
    public void Build()
    {
        Tool.RequireOnPath("gcc");
        _fx = new LinkFixture();
        // The stubs directory is on no search path and there is no hint directory: it sits beside the build tree.
        _fx.SharedLib("cuda/lib64/stubs/libcuda.so", "int cuMemCreate(void){return 0;}\n", soname: "libcuda.so.1");
        _fx.SharedLib("build/libggml-cuda.so", "int cuMemCreate(void);\nint g(void){return cuMemCreate();}\n", extra: "-Lcuda/lib64/stubs -lcuda");
        _fx.Object("main.o", "int g(void);\nint main(void){return g();}\n");
    }

    [TearDown]
    public void Clean() => _fx?.Dispose();

    private const string Command = "gcc -o test_dflash main.o -Lbuild -lggml-cuda";

    [Test]
    public void The_warning_line_names_the_symlink_and_the_rpath_link_and_running_it_fixes_the_real_link()
    {
        var engine = new FakeBuildEngine();
        var task = new CheckNativeLinks
        {
            BuildEngine = engine,
            Links = [new TaskItem("test_dflash", new Dictionary<string, string> { ["Command"] = Command })],
            ProjectDirectory = _fx.Root,
            EnvironmentVariables = [new TaskItem("PATH", new Dictionary<string, string> { ["Value"] = Environment.GetEnvironmentVariable("PATH") ?? "" })],
            ReportFile = _fx.P("obj/report.json"),
        };
        Assert.That(task.Execute(), Is.True);
        string line = engine.Warnings.Single(w => w.Code == "NLG0002").Message!;
        Assert.That(line, Does.Contain("ln -sfn " + _fx.P("cuda/lib64/stubs/libcuda.so")).And.Contain("-Wl,-rpath-link,").And.Not.Contain("allow-shlib-undefined"));

        // What the line says to run and add, run and added as a user would: the real link succeeds.
        string fix = line[(line.IndexOf(": run ", StringComparison.Ordinal) + ": run ".Length)..];
        string commands = fix[..fix.IndexOf(", then add ", StringComparison.Ordinal)];
        string flags = fix[(fix.IndexOf(", then add ", StringComparison.Ordinal) + ", then add ".Length)..].TrimEnd('.');
        _fx.Sh(commands);
        Assert.That(_fx.RealLink(["sh", "-c", Command + " " + flags]).Succeeded, Is.True, flags);

        // Replayed from the JSON report (a no-change rebuild), the line is the same.
        var replayed = LoggedFinding.FromReport(_fx.P("obj/report.json"))!.Single(f => f.Code == "NLG0002");
        Assert.That(line, Does.EndWith(replayed.Message));
    }

    [Test]
    public void The_sarif_message_carries_the_same_fix_and_no_workaround_first()
    {
        var report = new LinkChecker().Check(new CheckRequest(Command.Split(' '), _fx.Root, _fx.Environment));
        var finding = report.Findings.Single(f => f.Code == "NLG0002");
        using var sarif = JsonDocument.Parse(SarifReportWriter.Write([report], "test"));
        var texts = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("message").GetProperty("text").GetString()).ToList();
        Assert.That(texts, Has.Member(finding.Message + "." + OneLineFix.Text(finding.Suggestions, finding.Notes)));
        Assert.That(OneLineFix.Text(finding.Suggestions), Does.Contain("ln -sfn").And.Not.Contain("allow-shlib-undefined"));
    }

    [Test]
    public void A_workaround_alone_is_never_the_fix_of_the_line()
    {
        var workaround = new Suggestion(SuggestionQuality.Workaround, "--allow-shlib-undefined (links, but checks nothing)", ["-Wl,--allow-shlib-undefined"], "why");
        string nowhere = "libx.so.1 is nowhere we looked (…). If it exists, point NativeLinkGuard at its directory: --hint-dir DIR (CLI) or the NativeLinkGuardHintDirectories property (MSBuild).";
        Assert.That(OneLineFix.Text([workaround], [nowhere]), Is.EqualTo(" " + nowhere));
        Assert.That(OneLineFix.Text([workaround]), Is.Empty);
    }
}
