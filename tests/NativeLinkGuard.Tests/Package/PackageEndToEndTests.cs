using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Package;

/// <summary>
/// What a user does: pack the task package into a local feed, reference it from a fresh consumer project with its own
/// nuget.config and package cache, and run dotnet build. The consumer's NativeLink is the CUDA-stubs link.
/// </summary>
[Category("EndToEnd")]
[Category("RequiresCc")]
[NonParallelizable]
public sealed class PackageEndToEndTests
{
    private LinkFixture _fx = null!;
    private string _consumer = null!;

    [OneTimeSetUp]
    public void PackAndCreateConsumer()
    {
        Tool.RequireOnPath("gcc");
        _fx = new LinkFixture();
        string repo = RepoRoot();
        string config = Repository.Configuration;
        string feed = _fx.P("feed");
        var pack = Dotnet(repo, "pack", Path.Combine(repo, "src", "NativeLinkGuard.Tasks"), "-c", config, "-o", feed, "-p:Version=0.0.1-e2e");
        Assert.That(pack.ExitCode, Is.EqualTo(0), pack.StandardOutput + pack.StandardError);

        _fx.SharedLib("cuda/lib64/stubs/libcuda.so", "int cuMemCreate(void){return 0;}\n", soname: "libcuda.so.1");
        _fx.SharedLib("native/build/libggml-cuda.so", "int cuMemCreate(void);\nint g(void){return cuMemCreate();}\n", extra: "-Lcuda/lib64/stubs -lcuda");
        _fx.Object("native/main.o", "int g(void);\nint main(void){return g();}\n");

        _consumer = _fx.P("consumer");
        _fx.Write("consumer/nuget.config", $"""
            <configuration>
              <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
            </configuration>
            """);
        _fx.Write("consumer/Consumer.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <NativeLinkGuardNativeBuildTarget>NativeBuild</NativeLinkGuardNativeBuildTarget>
              </PropertyGroup>
              <ItemGroup>
                <NativeLink Include="test_dflash" Command="gcc -o test_dflash main.o -Lbuild -lggml-cuda" WorkingDirectory="../native" />
              </ItemGroup>
              <ItemGroup Condition="'$(ShipNative)' == 'true'">
                <None Include="../native/shipped/libfoo.so" Link="lib/libfoo.so" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
              <Target Name="NativeBuild" BeforeTargets="CoreCompile">
                <Message Importance="high" Text="NATIVE BUILD STARTS" />
              </Target>
            </Project>
            """);
        _fx.Write("consumer/Program.cs", "System.Console.WriteLine(\"hi\");\n");
        // Isolation: the consumer's files above its folder must not leak in (the repo's Directory.Build.props).
        _fx.Write("Directory.Build.props", "<Project />");
        _fx.Write("Directory.Packages.props", "<Project />");
        // As a user adds it: dotnet add package from the local feed (this also restores).
        var add = Dotnet(_consumer, "add", "Consumer.csproj", "package", "NativeLinkGuard", "--source", feed, "--version", "0.0.1-e2e");
        Assert.That(add.ExitCode, Is.EqualTo(0), add.StandardOutput + add.StandardError);
        Assert.That(File.ReadAllText(Path.Combine(_consumer, "Consumer.csproj")), Does.Contain("NativeLinkGuard"));
    }

    [OneTimeTearDown]
    public void Clean() => _fx?.Dispose();

    private static string RepoRoot() => Repository.Root;

    private ProcessResult Dotnet(string cwd, params string[] args)
    {
        var env = new Dictionary<string, string?>(_fx.Environment)
        {
            ["NUGET_PACKAGES"] = _fx.P("packages"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
        return ProcessRunner.Run("dotnet", args, env, cwd, timeoutMs: 300_000);
    }

    private ProcessResult Build(params string[] args) => Dotnet(_consumer, [args[0], "--disable-build-servers", "-nologo", .. args.Skip(1)]);

    [Test]
    public void Build_warns_with_the_code_and_the_fix_before_the_native_build()
    {
        var r = Build("build", "--no-restore");
        string output = r.StandardOutput;
        Assert.That(r.ExitCode, Is.EqualTo(0), output);
        int warning = output.IndexOf("warning NLG0002", StringComparison.Ordinal);
        Assert.That(warning, Is.GreaterThanOrEqualTo(0), output);
        // No hint directory: the stubs directory beside the build tree is found, and the warning line alone says
        // what to do (issue 15): the SONAME symlink and the -rpath-link to it.
        string line = output[warning..output.IndexOf('\n', warning)];
        Assert.That(line, Does.Contain("-Wl,-rpath-link,").And.Contain("ln -sfn").And.Contain("libcuda.so.1"));
        Assert.That(warning, Is.LessThan(output.IndexOf("NATIVE BUILD STARTS", StringComparison.Ordinal)), "the warning comes before the native build");
        Assert.That(File.Exists(Path.Combine(_consumer, "obj", "nativelinkguard.json")), Is.True);
    }

    [Test]
    public void A_no_change_rebuild_skips_the_check_but_still_shows_the_finding()
    {
        Build("build", "--no-restore");
        var again = Build("build", "--no-restore");
        Assert.That(again.StandardOutput, Does.Contain("up to date"));
        Assert.That(again.StandardOutput, Does.Contain("warning NLG0002"));
    }

    [Test]
    public void On_request_the_directories_of_the_linked_libraries_are_audited_also_when_replayed()
    {
        // A tarball-style copy next to the library the link uses: libcopy.so.1 is a regular file, not a link.
        _fx.SharedLib("native/build/libcopy.so.1.0", "int c(void){return 0;}\n", soname: "libcopy.so.1");
        _fx.Sh("cp native/build/libcopy.so.1.0 native/build/libcopy.so.1");
        try
        {
            var off = Build("build", "--no-restore");
            Assert.That(off.StandardOutput, Does.Not.Contain("NLG0004"), "not audited unless asked");
            for (int i = 0; i < 2; i++)
            {
                var on = Build("build", "--no-restore", "-p:NativeLinkGuardAuditLinkDirectories=true");
                Assert.That(on.StandardOutput, Does.Contain("warning NLG0004").And.Contain("libcopy.so.1 is not a symbolic link"), on.StandardOutput);
            }
        }
        finally
        {
            _fx.Sh("rm -f native/build/libcopy.so.1 native/build/libcopy.so.1.0");
        }
    }

    [Test]
    public void After_the_build_a_shipped_library_that_will_not_load_is_reported_where_it_lands()
    {
        _fx.SharedLib("native/shipped/deps/libdep.so.1", "int dep_fn(void){return 1;}\n", soname: "libdep.so.1");
        _fx.SharedLib("native/shipped/libfoo.so", "int dep_fn(void);\nint foo(void){return dep_fn();}\n", soname: "libfoo.so",
            extra: "-Wl,--no-as-needed native/shipped/deps/libdep.so.1");
        var r = Build("build", "--no-restore", "-p:ShipNative=true");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StandardOutput);
        Assert.That(r.StandardOutput, Does.Contain("lib/libfoo.so : NativeLinkGuard warning NLG0012: libfoo.so: libdep.so.1, needed by libfoo.so, will not be found by the dynamic loader"));
        var gated = Build("build", "--no-restore", "-p:ShipNative=true", "-p:NativeLinkGuardFailOnNotLoadable=true");
        Assert.That(gated.ExitCode, Is.Not.EqualTo(0));
        Assert.That(gated.StandardOutput, Does.Contain("error NLG0012"));
        var off = Build("build", "--no-restore", "-p:ShipNative=true", "-p:NativeLinkGuardRuntimeCheck=false");
        Assert.That(off.StandardOutput, Does.Not.Contain("NLG0012"));
    }

    [Test]
    public void Sarif_file_is_valid_sarif_2_1_0()
    {
        string sarif = Path.Combine(_consumer, "obj", "nlg.sarif");
        var r = Build("build", "--no-restore", "-p:NativeLinkGuardSarifFile=" + sarif);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StandardOutput);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(sarif));
        var root = doc.RootElement;
        var run = root.GetProperty("runs")[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("version").GetString(), Is.EqualTo("2.1.0"));
            Assert.That(root.GetProperty("$schema").GetString(), Does.Contain("sarif-2.1.0"));
            Assert.That(run.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString(), Is.EqualTo("NativeLinkGuard"));
            var result = run.GetProperty("results")[0];
            Assert.That(result.GetProperty("ruleId").GetString(), Is.EqualTo("NLG0002"));
            Assert.That(result.GetProperty("level").GetString(), Is.AnyOf("error", "warning", "note", "none"));
            Assert.That(result.GetProperty("message").GetProperty("text").GetString(), Is.Not.Empty);
            Assert.That(result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString(), Is.Not.Empty);
        }
    }

    [Test]
    public void Parallel_build_of_several_projects_checks_each()
    {
        // A second consumer next to the first, both in one solution, built with -m.
        string second = _fx.P("consumer2");
        Directory.CreateDirectory(second);
        File.Copy(Path.Combine(_consumer, "nuget.config"), Path.Combine(second, "nuget.config"), true);
        File.WriteAllText(Path.Combine(second, "Consumer2.csproj"), File.ReadAllText(Path.Combine(_consumer, "Consumer.csproj")));
        File.Copy(Path.Combine(_consumer, "Program.cs"), Path.Combine(second, "Program.cs"), true);
        File.Copy(Path.Combine(_consumer, "nuget.config"), _fx.P("nuget.config"), true);
        Assert.That(Dotnet(_fx.Root, "new", "sln", "-n", "both", "--format", "sln").ExitCode, Is.EqualTo(0));
        Assert.That(Dotnet(_fx.Root, "sln", "both.sln", "add", Path.Combine(_consumer, "Consumer.csproj"), Path.Combine(second, "Consumer2.csproj")).ExitCode, Is.EqualTo(0));
        var r = Dotnet(_fx.Root, "build", "both.sln", "-m", "--disable-build-servers", "-nologo");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StandardOutput);
        Assert.That(r.StandardOutput, Does.Contain("Consumer.csproj : NativeLinkGuard warning NLG0002"));
        Assert.That(r.StandardOutput, Does.Contain("Consumer2.csproj : NativeLinkGuard warning NLG0002"));
        Assert.That(r.StandardOutput, Does.Not.Contain("NLG9001"));
    }

    [Test]
    public void The_cli_installs_as_a_dotnet_tool_and_runs()
    {
        string repo = RepoRoot();
        string config = Repository.Configuration;
        string toolFeed = _fx.P("toolfeed");
        var pack = Dotnet(repo, "pack", Path.Combine(repo, "src", "NativeLinkGuard.Cli"), "-c", config, "-o", toolFeed, "-p:Version=0.0.1-e2e");
        Assert.That(pack.ExitCode, Is.EqualTo(0), pack.StandardOutput);
        var install = Dotnet(_fx.Root, "tool", "install", "--tool-path", _fx.P("tools"), "--add-source", toolFeed, "--version", "0.0.1-e2e", "NativeLinkGuard.Cli");
        Assert.That(install.ExitCode, Is.EqualTo(0), install.StandardOutput + install.StandardError);
        var check = ProcessRunner.Run(_fx.P("tools/nativelinkguard"), ["check", "--", "gcc", "-o", "test_dflash", "main.o", "-Lbuild", "-lggml-cuda"], _fx.Environment, _fx.P("native"));
        Assert.That(check.ExitCode, Is.EqualTo(1), check.StandardOutput + check.StandardError);
        Assert.That(check.StandardOutput, Does.Contain("NLG0002"));
    }

    [TestCase("-warnaserror")]
    [TestCase("-p:WarningsAsErrors=NLG0002")]
    [TestCase("-p:NativeLinkGuardFailOnPredictedLinkFailure=true")]
    [TestCase("-p:TreatWarningsAsErrors=true")]
    public void Gating_fails_the_build_and_again_on_a_no_change_rebuild(string option)
    {
        var r = Build("build", "--no-restore", option);
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.StandardOutput);
        Assert.That(r.StandardOutput, Does.Contain("error NLG0002"));
        var again = Build("build", "--no-restore", option);
        Assert.That(again.ExitCode, Is.Not.EqualTo(0), "a gated failure stays a failure until the cause is fixed");
        Assert.That(again.StandardOutput, Does.Contain("error NLG0002"));
    }

    [Test]
    public void WarningsNotAsErrors_keeps_the_code_a_warning_under_TreatWarningsAsErrors()
    {
        // The missing libcuda.so.1 is NLG0002 and its symbols NLG0006: both kept warnings.
        var r = Build("build", "--no-restore", "-p:TreatWarningsAsErrors=true", "-p:WarningsNotAsErrors=NLG0002%3BNLG0006");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StandardOutput);
        Assert.That(r.StandardOutput, Does.Contain("warning NLG0002").And.Contain("warning NLG0006"));
        var strict = Build("build", "--no-restore", "-p:TreatWarningsAsErrors=true", "-p:WarningsNotAsErrors=NLG0002");
        Assert.That(strict.ExitCode, Is.Not.EqualTo(0), "NLG0006 is still an error");
        Assert.That(strict.StandardOutput, Does.Contain("warning NLG0002").And.Contain("error NLG0006"));
    }

    [Test]
    public void NoWarn_silences_the_code()
    {
        var r = Build("build", "--no-restore", "-p:NoWarn=NLG0002");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StandardOutput);
        Assert.That(r.StandardOutput, Does.Not.Contain("NLG0002"));
    }
}
