using System.Text.Json;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Cli;

[Category("RequiresCc")]
[Category("RequiresCMake")]
public sealed class CMakeCommandTests
{
    private LinkFixture _fx = null!;

    [SetUp]
    public void Configure()
    {
        Tool.RequireOnPath("gcc", "cmake");
        _fx = new LinkFixture();
        string project = RepoProject();
        _fx.Sh($"mkdir -p stubs && gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o stubs/libcuda.so {project}/cuda-stub.c");
        _fx.Sh($"cmake -S {project} -B build -DCUDA_STUBS_DIR={_fx.P("stubs")} > /dev/null");
    }

    [TearDown]
    public void Clean() => _fx?.Dispose();

    private static string RepoProject() => Repository.CMakeProject;

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        return (CliApp.Run(args, o, e), o.ToString(), e.ToString());
    }

    [Test]
    public void Without_a_reply_the_query_is_written_the_fallback_used_and_the_user_told_once()
    {
        var (code, text, err) = Run("cmake", _fx.P("build"));
        Assert.That(code, Is.EqualTo(1), err);
        Assert.That(err, Does.Contain("no CMake File API reply; using its link.txt files").And.Contain("re-run the configure step"));
        Assert.That(text, Does.Contain("5 links checked in build order: 2 will fail"));
        Assert.That(File.Exists(_fx.P("build/.cmake/api/v1/query/codemodel-v2")), Is.True);
        var (configured, text2, err2) = Run("cmake", _fx.P("build"), "--configure");
        Assert.That(configured, Is.EqualTo(1), "the links are predicted to fail");
        Assert.That(err2, Is.Empty, "the File API reply is used now");
        Assert.That(text2, Does.Contain("link test_dflash (exe, test_dflash): predicted to fail"));
        int line = Array.FindIndex(File.ReadAllLines(Path.Combine(RepoProject(), "CMakeLists.txt")), l => l.StartsWith("add_executable(test_dflash", StringComparison.Ordinal)) + 1;
        Assert.That(text2, Does.Contain($"defined at {Path.Combine(RepoProject(), "CMakeLists.txt")}:{line}"), "the target's CMake code, from the File API backtrace");
    }

    [Test]
    public void Without_a_reply_or_link_commands_the_user_is_told_to_configure()
    {
        Directory.CreateDirectory(_fx.P("empty"));
        File.WriteAllText(_fx.P("empty/CMakeCache.txt"), "");
        var (code, _, err) = Run("cmake", _fx.P("empty"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("re-run the configure step"));
    }

    [Test]
    public void Json_names_the_target_its_type_and_its_output_and_target_filters()
    {
        Run("cmake", _fx.P("build"), "--configure");
        var (code, json, _) = Run("cmake", _fx.P("build"), "--format", "json", "--target", "llama-server");
        Assert.That(code, Is.EqualTo(1));
        using var doc = JsonDocument.Parse(json);
        var link = doc.RootElement.GetProperty("links").EnumerateArray().Single();
        Assert.That((link.GetProperty("target").GetString(), link.GetProperty("type").GetString(), link.GetProperty("output").GetString()),
            Is.EqualTo(("llama-server", "exe", "sub/llama-server")));
        Assert.That(Run("cmake", _fx.P("build"), "--target", "nope").Code, Is.EqualTo(2));
        Assert.That(Run("cmake", _fx.P("not-a-build")).Code, Is.EqualTo(2));
    }

    [Test]
    public void Nested_build_directories_are_checked_on_request()
    {
        _fx.Sh($"cmake -S {RepoProject()} -B build/ext/sub-build -DCUDA_STUBS_DIR={_fx.P("stubs")} > /dev/null");
        var (_, withoutNested, _) = Run("cmake", _fx.P("build"), "--format", "json");
        var (code, withNested, _) = Run("cmake", _fx.P("build"), "--format", "json", "--nested");
        Assert.That(code, Is.EqualTo(1));
        static int Count(string json) => JsonDocument.Parse(json).RootElement.GetProperty("links").GetArrayLength();
        Assert.That((Count(withoutNested), Count(withNested)), Is.EqualTo((5, 10)));
    }

    [Test]
    public void The_msbuild_task_finds_the_same_nested_builds_as_the_cli_and_points_at_the_same_cmake_lines_on_replay()
    {
        _fx.Sh($"cmake -S {RepoProject()} -B build/ext/sub-build -DCUDA_STUBS_DIR={_fx.P("stubs")} > /dev/null");
        // Both builds with a File API reply: findings point at the add_executable/add_library lines.
        Assert.That(Run("cmake", _fx.P("build/ext/sub-build"), "--configure").Code, Is.EqualTo(1));
        Assert.That(Run("cmake", _fx.P("build"), "--configure").Code, Is.EqualTo(1));
        var (_, cli, _) = Run("cmake", _fx.P("build"), "--format", "json", "--nested");
        List<(string, string, int)> Warnings(out NativeLinkGuard.Tasks.CheckNativeLinks task)
        {
            var engine = new Tasks.FakeBuildEngine();
            task = new NativeLinkGuard.Tasks.CheckNativeLinks
            {
                BuildEngine = engine,
                ProjectDirectory = _fx.Root,
                CMakeBuildDirectories = ["build"],
                CheckNestedCMakeBuilds = true,
                ReportFile = _fx.P("obj/nativelinkguard.json"),
                EnvironmentVariables =
                [
                    new Microsoft.Build.Utilities.TaskItem(
                        "PATH", new Dictionary<string, string> { ["Value"] = Environment.GetEnvironmentVariable("PATH") ?? "" }),
                ],
            };
            Assert.That(task.Execute(), Is.True);
            return engine.Warnings.Select(w => (w.Code, w.File, w.LineNumber)).Order().ToList();
        }
        var first = Warnings(out var checkTask);
        static List<(string?, string?)> Links(string json) => JsonDocument.Parse(json).RootElement.GetProperty("links")
            .EnumerateArray().Select(l => (l.GetProperty("output").GetString(), l.GetProperty("predictedOutcome").GetString()))
            .Order().ToList();
        Assert.That(Links(File.ReadAllText(_fx.P("obj/nativelinkguard.json"))), Is.EqualTo(Links(cli)).And.Count.EqualTo(10));
        Assert.That(checkTask.PredictedFailures, Is.EqualTo(4), "two failing links in each build");

        // The second build replays the report: every warning at the same file and line (a CMakeLists.txt line).
        var replayed = Warnings(out _);
        Assert.That(replayed, Is.EqualTo(first));
        Assert.That(first.Where(w => w.Item1 == "NLG0002").Select(w => (Path.GetFileName(w.Item2), w.Item3 > 0)),
            Has.All.EqualTo(("CMakeLists.txt", true)));
    }

    [Test]
    public void An_exception_is_NLG9001_and_exit_2() => InternalErrorTests.AssertInternalError("cmake", _fx.P("build"));
}
