using System.IO.Compression;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.PInvoke;

/// <summary>
/// One small C# app, built once per test run and reused by every case: each entry point (argv[0]) calls one import
/// (a DllImport per name form and search flag, LibraryImport, NativeLibrary.Load by name and by an app-relative
/// path, a library from a real local NuGet package's runtimes/linux-x64/native, a library whose dependency is
/// separate), and prints "OK n" or "DNF message". Built three ways: the build output (framework-dependent, no RID),
/// a framework-dependent publish and a self-contained linux-x64 publish. Restore is offline: a nuget.config with
/// only the local feed; the runtime pack comes from the machine's package cache.
/// </summary>
internal sealed class PInvokeAppFixture
{
    public static readonly string[] Modes = ["X", "LibXSo", "Safe", "AsmDir", "User", "LoadPath", "AppRel", "Pkg", "Li", "SysC", "SysM"];

    private static readonly Lazy<PInvokeAppFixture> Instance = new(() => new PInvokeAppFixture());
    public static PInvokeAppFixture Get() => Instance.Value;

    public string Root { get; }
    public string Fixtures => Path.Combine(Root, "fix");
    public string Build { get; }
    public string PublishFdd { get; }
    public string PublishSelfContained { get; }
    /// <summary>Framework-dependent linux-arm64 without an apphost: restores offline (no runtime pack); predicted, never run.</summary>
    public string PublishArm64 { get; }
    public string? BuildError { get; }
    public string? Arm64Error { get; private set; }

    private PInvokeAppFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "nlg-pinvoke-" + Environment.ProcessId);
        if (Directory.Exists(Root)) Directory.Delete(Root, true);
        Directory.CreateDirectory(Fixtures);
        Build = Path.Combine(Root, "build");
        PublishFdd = Path.Combine(Root, "publish-fdd");
        PublishSelfContained = Path.Combine(Root, "publish-sc");
        PublishArm64 = Path.Combine(Root, "publish-arm64");
        BuildError = Make();
    }

    private string? Make()
    {
        File.WriteAllText(P("fix/nlgx.c"), "int nlgx_answer(void) { return 7; }\n");
        File.WriteAllText(P("fix/dep.c"), "int nlgdep_value(void) { return 35; }\n");
        File.WriteAllText(P("fix/user.c"), "int nlgdep_value(void);\nint nlgx_answer(void) { return nlgdep_value() + 7; }\n");
        foreach (var (args, what) in new[]
        {
            (new[] { "-fPIC", "-shared", "-o", "libnlgx.so", "nlgx.c" }, "libnlgx.so"),
            (["-fPIC", "-shared", "-o", "libnlgli.so", "nlgx.c"], "libnlgli.so"),
            (["-fPIC", "-shared", "-o", "libnlgpkg.so", "nlgx.c"], "libnlgpkg.so"),
            (["-fPIC", "-shared", "-o", "libnlgdrv.so.1", "-Wl,-soname,libnlgdrv.so.1", "nlgx.c"], "libnlgdrv.so.1"),
            (["-fPIC", "-shared", "-o", "libnlgdep.so.1", "-Wl,-soname,libnlgdep.so.1", "dep.c"], "libnlgdep.so.1"),
            (["-fPIC", "-shared", "-o", "libnlguser.so", "user.c", "-L.", "-l:libnlgdep.so.1"], "libnlguser.so"),
        })
        {
            var (code, output) = Tool.Run(Fixtures, "gcc", args);
            if (code != 0) return $"gcc {what}: {output}";
        }
        // Another architecture under the same name, for "skipped, the search goes on".
        if (Tool.Exists("aarch64-linux-gnu-gcc"))
            Tool.Run(Fixtures, "aarch64-linux-gnu-gcc", "-fPIC", "-shared", "-o", "aarch64-libnlgx.so", "nlgx.c");

        // A real package with a native asset, made as NuGet lays one out (a zip with a nuspec).
        Directory.CreateDirectory(P("feed"));
        using (var zip = ZipFile.Open(P("feed/NlgPInvokeFixture.1.0.0.nupkg"), ZipArchiveMode.Create))
        {
            var spec = zip.CreateEntry("NlgPInvokeFixture.nuspec");
            using (var w = new StreamWriter(spec.Open()))
                w.Write("""<?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>NlgPInvokeFixture</id><version>1.0.0</version><authors>tests</authors><description>native asset fixture</description></metadata></package>""");
            zip.CreateEntryFromFile(P("fix/libnlgpkg.so"), "runtimes/linux-x64/native/libnlgpkg.so");
        }

        Directory.CreateDirectory(P("app"));
        File.WriteAllText(P("app/nuget.config"), $"""<configuration><packageSources><clear /><add key="local" value="{P("feed")}" /></packageSources></configuration>""");
        File.WriteAllText(P("app/PInvokeApp.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup><PackageReference Include="NlgPInvokeFixture" Version="1.0.0" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(P("app/Directory.Build.props"), "<Project />");
        File.WriteAllText(P("app/Directory.Packages.props"), "<Project />");
        File.WriteAllText(P("app/Program.cs"), """
            using System.Runtime.InteropServices;
            static partial class P
            {
                [DllImport("nlgx", EntryPoint = "nlgx_answer")] static extern int X();
                [DllImport("libnlgx.so", EntryPoint = "nlgx_answer")] static extern int LibXSo();
                [DllImport("nlgx", EntryPoint = "nlgx_answer"), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)] static extern int Safe();
                [DllImport("nlgx", EntryPoint = "nlgx_answer"), DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory)] static extern int AsmDir();
                [DllImport("nlguser", EntryPoint = "nlgx_answer")] static extern int User();
                [DllImport("nlgpkg", EntryPoint = "nlgx_answer")] static extern int Pkg();
                [LibraryImport("nlgli", EntryPoint = "nlgx_answer")] private static partial int Li();
                [DllImport("libc.so.6", EntryPoint = "getpid")] static extern int SysC();
                [DllImport("m", EntryPoint = "cos")] static extern double SysM(double x);
                static int LoadPath() => NativeLibrary.Load("libnlgx.so") != 0 ? 1 : 0;
                static int AppRel() => NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "drv", "libnlgdrv.so.1")) != 0 ? 1 : 0;
                // A name a branch decides: the check must say "not checked", not pick one of the literals.
                static int Computed(string[] a) => NativeLibrary.Load(a.Length > 5 ? "libnlgx.so" : "libnlgdep.so.1") != 0 ? 1 : 0;
                static int Main(string[] a)
                {
                    try
                    {
                        int r = a[0] switch
                        {
                            "X" => X(), "LibXSo" => LibXSo(), "Safe" => Safe(), "AsmDir" => AsmDir(), "User" => User(), "Pkg" => Pkg(),
                            "Li" => Li(), "SysC" => SysC() > 0 ? 1 : 0, "SysM" => (int)SysM(0), "LoadPath" => LoadPath(), "AppRel" => AppRel(), "Computed" => Computed(a),
                            _ => -1,
                        };
                        Console.WriteLine($"OK {r}");
                        return 0;
                    }
                    catch (DllNotFoundException e) { Console.WriteLine("DNF " + e.Message); return 3; }
                }
            }
            """);
        foreach (var (verb, outDir, extra) in new[]
        {
            ("build", Build, Array.Empty<string>()),
            ("publish", PublishFdd, ["--no-self-contained"]),
            ("publish", PublishSelfContained, ["-r", "linux-x64", "--self-contained"]),
        })
        {
            var r = Dotnet(P("app"), [verb, "-c", "Release", "-o", outDir, "-nodeReuse:false", .. extra]);
            if (r.ExitCode != 0) return $"dotnet {verb} {string.Join(' ', extra)}: {r.StandardOutput}{r.StandardError}";
        }
        var arm = Dotnet(P("app"), ["publish", "-c", "Release", "-o", PublishArm64, "-nodeReuse:false", "-r", "linux-arm64", "--no-self-contained", "-p:UseAppHost=false"]);
        if (arm.ExitCode != 0) Arm64Error = $"dotnet publish -r linux-arm64: {arm.StandardOutput}{arm.StandardError}";
        return null;
    }

    public string P(string relative) => Path.Combine(Root, relative);

    private static ProcessResult Dotnet(string cwd, string[] args)
    {
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        env["MSBUILDDISABLENODEREUSE"] = "1";
        env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        env["DOTNET_NOLOGO"] = "1";
        return ProcessRunner.Run("dotnet", args, env, cwd, timeoutMs: 300_000);
    }

    /// <summary>Runs the app's entry point MODE from DIR as a user would, with exactly this LD_LIBRARY_PATH.</summary>
    public static ProcessResult RunApp(string dir, string mode, string? ldLibraryPath, string cwd)
    {
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        env.Remove("LD_LIBRARY_PATH");
        if (ldLibraryPath is not null) env["LD_LIBRARY_PATH"] = ldLibraryPath;
        return ProcessRunner.Run(Path.Combine(dir, "PInvokeApp"), [mode], env, cwd, timeoutMs: 60_000);
    }
}
