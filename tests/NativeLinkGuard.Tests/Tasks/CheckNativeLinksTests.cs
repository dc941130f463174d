using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using NativeLinkGuard.Tasks;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Tasks;

[Category("RequiresCc")]
public sealed class CheckNativeLinksTests
{
    private LinkFixture _fx = null!;

    [SetUp]
    public void Build()
    {
        Tool.RequireOnPath("gcc");
        _fx = new LinkFixture();
        _fx.SharedLib("stubs/libcuda.so", "int cuMemCreate(void){return 0;}\n", soname: "libcuda.so.1");
        _fx.SharedLib("build/libggml-cuda.so", "int cuMemCreate(void);\nint g(void){return cuMemCreate();}\n", extra: "-Lstubs -lcuda");
        _fx.Object("main.o", "int g(void);\nint main(void){return g();}\n");
    }

    [TearDown]
    public void Clean() => _fx?.Dispose();

    private (CheckNativeLinks Task, FakeBuildEngine Engine, bool Result) Run(ITaskItem link, bool gate = false, params (string, string)[] env)
    {
        var engine = new FakeBuildEngine();
        var vars = new List<ITaskItem> { Var("PATH", Environment.GetEnvironmentVariable("PATH") ?? "") };
        vars.AddRange(env.Select(e => Var(e.Item1, e.Item2)));
        var task = new CheckNativeLinks
        {
            BuildEngine = engine,
            Links = [link],
            ProjectDirectory = _fx.Root,
            EnvironmentVariables = [.. vars],
            HintDirectories = [_fx.P("stubs")],
            FailOnPredictedLinkFailure = gate,
            ReportFile = _fx.P("obj/report.json"),
        };
        return (task, engine, task.Execute());
    }

    private static TaskItem Var(string name, string value) => new(name, new Dictionary<string, string> { ["Value"] = value });

    [Test]
    public void A_command_link_logs_a_coded_warning_with_file_help_link_and_fix()
    {
        var (task, engine, ok) = Run(new TaskItem("test_dflash", new Dictionary<string, string> { ["Command"] = "gcc -o test_dflash main.o -Lbuild -lggml-cuda" }));
        var w = engine.Warnings.Single(x => x.Code == "NLG0002");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True);
            Assert.That(w.Code, Is.EqualTo("NLG0002"));
            Assert.That(w.Subcategory, Is.EqualTo("NativeLinkGuard"));
            Assert.That(w.File, Is.EqualTo("test.csproj"));
            Assert.That(w.HelpLink, Does.EndWith("#nlg0002"));
            Assert.That(w.Message, Does.Contain("-Wl,-rpath-link,"));
            Assert.That(task.PredictedFailures, Is.EqualTo(1));
            Assert.That(engine.Messages.Select(m => m.Message), Has.Some.Contains("searched, in ld's order"));
            Assert.That(File.ReadAllText(_fx.P("obj/report.json")), Does.Contain("\"predictedOutcome\": \"fails\""));
        }
    }

    [Test]
    public void Gating_logs_an_error_and_fails_the_task()
    {
        var (_, engine, ok) = Run(new TaskItem("test_dflash", new Dictionary<string, string> { ["Command"] = "gcc -o test_dflash main.o -Lbuild -lggml-cuda" }), gate: true);
        Assert.That(ok, Is.False);
        Assert.That(engine.Errors.First().Code, Is.EqualTo("NLG0002"));
    }

    [Test]
    public void A_declarative_link_uses_CC_and_LDFLAGS_as_the_environment_would()
    {
        var item = new TaskItem("test_dflash", new Dictionary<string, string> { ["Libraries"] = "ggml-cuda", ["LibraryDirectories"] = "build", ["Type"] = "exe" });
        var (_, failing, _) = Run(item, false, ("CC", "gcc"));
        Assert.That(failing.Warnings.Single().Code, Is.EqualTo("NLG0002"), "objects unknown: the library is assumed used");

        _fx.Sh("mkdir -p priv && ln -s ../stubs/libcuda.so priv/libcuda.so.1");
        var (_, clean, _) = Run(item, false, ("CC", "gcc"), ("LDFLAGS", "-Wl,-rpath-link," + _fx.P("priv")));
        Assert.That(clean.Warnings, Is.Empty);
    }

    [Test]
    public void A_bad_item_is_one_NLG9001_warning_and_the_build_goes_on()
    {
        var (_, engine, ok) = Run(new TaskItem("x", new Dictionary<string, string> { ["Command"] = "gcc 'unterminated" }));
        Assert.That(ok, Is.True);
        Assert.That(engine.Warnings.Single().Code, Is.EqualTo("NLG9001"));
    }

    [Test]
    public void A_no_change_rerun_replays_the_findings_and_a_new_file_in_a_searched_directory_triggers_a_real_check()
    {
        Directory.CreateDirectory(_fx.P("ldp"));
        var item = new TaskItem("test_dflash", new Dictionary<string, string> { ["Command"] = "gcc -o test_dflash main.o -Lbuild -lggml-cuda" });
        var env = ("LD_LIBRARY_PATH", _fx.P("ldp"));

        var (_, first, _) = Run(item, false, env);
        var (_, second, _) = Run(item, false, env);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Messages.Select(m => m.Message), Has.None.Contains("up to date"));
            Assert.That(second.Messages.Select(m => m.Message), Has.Some.Contains("up to date"));
            Assert.That(second.Warnings.Select(w => (w.Code, w.Message)), Is.EqualTo(first.Warnings.Select(w => (w.Code, w.Message))), "a replay hides nothing");
        }

        // The user fixes it without touching the build's settings: libcuda.so.1 appears on LD_LIBRARY_PATH.
        File.CreateSymbolicLink(_fx.P("ldp/libcuda.so.1"), _fx.P("stubs/libcuda.so"));
        Directory.SetLastWriteTimeUtc(_fx.P("ldp"), DateTime.UtcNow.AddSeconds(5));
        var (_, third, _) = Run(item, false, env);
        Assert.That(third.Messages.Select(m => m.Message), Has.None.Contains("up to date"));
        Assert.That(third.Warnings, Is.Empty);
    }

    [Test]
    public void A_gated_failure_fails_again_when_replayed()
    {
        var item = new TaskItem("test_dflash", new Dictionary<string, string> { ["Command"] = "gcc -o test_dflash main.o -Lbuild -lggml-cuda" });
        Run(item, gate: true);
        var (_, engine, ok) = Run(item, gate: true);
        Assert.That(engine.Messages.Select(m => m.Message), Has.Some.Contains("up to date"));
        Assert.That(ok, Is.False);
        Assert.That(engine.Errors.First().Code, Is.EqualTo("NLG0002"));
    }

    [Test]
    public void An_internal_failure_is_one_NLG9001_warning_and_the_task_succeeds()
    {
        // A report path that cannot be written (its directory is a file): the check itself ran; writing fails.
        File.WriteAllText(_fx.P("blocker"), "");
        var engine = new FakeBuildEngine();
        var task = new CheckNativeLinks
        {
            BuildEngine = engine,
            Links = [new TaskItem("test_dflash", new Dictionary<string, string> { ["Command"] = "gcc -o test_dflash main.o -Lbuild -lggml-cuda" })],
            ProjectDirectory = _fx.Root,
            ReportFile = _fx.P("blocker/report.json"),
        };
        Assert.That(task.Execute(), Is.True);
        Assert.That(engine.Warnings.Select(w => w.Code), Does.Contain("NLG9001"));
        Assert.That(engine.Errors, Is.Empty);
    }

    [Test]
    public void The_audit_task_warns_with_the_commands_for_a_copied_soname_file()
    {
        _fx.SharedLib("ship/libcudnn.so.7.5.0", "int c(void){return 7;}\n", soname: "libcudnn.so.7");
        File.Copy(_fx.P("ship/libcudnn.so.7.5.0"), _fx.P("ship/libcudnn.so.7"));
        var engine = new FakeBuildEngine();
        var task = new AuditNativeLibraries { BuildEngine = engine, ProjectDirectory = _fx.Root, Directories = [new TaskItem("ship")] };
        Assert.That(task.Execute(), Is.True);
        var w = engine.Warnings.Single();
        Assert.That(w.Code, Is.EqualTo("NLG0004"));
        Assert.That(task.Problems, Is.EqualTo(1));
        // The line says where its commands run; run there, they leave nothing for the audit to report.
        string line = w.Message!;
        string prefix = $" Fix (in {_fx.P("ship")}): ";
        Assert.That(line, Does.Contain(prefix + "replace the copies").And.Contain("ln -sfn libcudnn.so.7.5.0 libcudnn.so.7"));
        string commands = line[(line.IndexOf(": run ", StringComparison.Ordinal) + ": run ".Length)..^1];
        _fx.Sh($"cd ship && {commands}");
        Assert.That(NativeLinkGuard.Audit.DirectoryAuditor.Audit(_fx.P("ship")).Findings, Is.Empty);
    }
}
