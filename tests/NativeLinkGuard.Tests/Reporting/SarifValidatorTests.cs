using System.Text.Json;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Reporting;

/// <summary>
/// Our SARIF for check, cmake and runtime, each with findings, through Microsoft's own validator
/// (<c>Sarif.Multitool validate</c>, npm package @microsoft/sarif-multitool-linux, which .ci/run installs): 0 errors
/// and 0 warnings. <c>SARIF_MULTITOOL</c> names the executable; by default the one .ci/run installs under .ci/tools.
/// </summary>
[Category("RequiresCc")]
[Category("RequiresSarifMultitool")]
public sealed class SarifValidatorTests
{
    private static string Multitool()
    {
        string path = Environment.GetEnvironmentVariable("SARIF_MULTITOOL") is { Length: > 0 } configured ? configured
            : Path.Combine(Repository.Root, ".ci", "tools", "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");
        if (!File.Exists(path))
        {
            string why = $"Microsoft's SARIF validator is not at {path} (npm install --prefix .ci/tools @microsoft/sarif-multitool-linux)";
            Tool.Require(false, why);
        }
        return path;
    }

    private static (int Code, string Out) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        return (CliApp.Run(args, o, e), o.ToString());
    }

    /// <summary>The validator's own findings at level error or warning (its default levels), as "ruleId: message id".</summary>
    private static List<string> Validate(string sarif, string dir)
    {
        string input = Path.Combine(dir, "input.sarif"), output = Path.Combine(dir, "validation.sarif");
        File.WriteAllText(input, sarif);
        var env = new Dictionary<string, string?> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1", ["PATH"] = Environment.GetEnvironmentVariable("PATH") };
        var r = ProcessRunner.Run(Multitool(), ["validate", input, "--output", output, "--log", "ForceOverwrite"], env, dir, timeoutMs: 120_000);
        Assert.That(File.Exists(output), Is.True, r.StandardOutput + r.StandardError);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var results = doc.RootElement.GetProperty("runs")[0].TryGetProperty("results", out var rs) ? rs.EnumerateArray().ToList() : [];
        return results.Where(x => !x.TryGetProperty("level", out var l) || l.GetString() is "error" or "warning")
            .Select(x => $"{x.GetProperty("ruleId").GetString()}: {x.GetProperty("message").GetRawText()}").ToList();
    }

    private static int ResultCount(string sarif)
    {
        using var doc = JsonDocument.Parse(sarif);
        return doc.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength();
    }

    [Test]
    public void Check_sarif_with_findings_is_valid()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new LinkFixture();
        fx.SharedLib("stubs/libcuda.so", "int cu(void) { return 1; }", "libcuda.so.1");
        fx.SharedLib("build/libggml.so", "int cu(void); int g(void) { return cu(); }", "libggml.so", "-Wl,--no-as-needed stubs/libcuda.so");
        fx.Write("main.c", "int g(void); int main(void) { return g(); }");
        var (code, sarif) = Run("check", "--format", "sarif", "--cwd", fx.Root, "--", "gcc", "-o", "app", "main.c", "-Lbuild", "-lggml");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(ResultCount(sarif), Is.GreaterThanOrEqualTo(1), "the indirect libcuda.so.1");
        Assert.That(Validate(sarif, fx.Root), Is.Empty);
    }

    [Test]
    public void Cmake_sarif_with_findings_located_in_cmakelists_is_valid()
    {
        Tool.RequireOnPath("gcc", "cmake");
        using var fx = new LinkFixture();
        fx.Sh($"mkdir -p stubs && gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o stubs/libcuda.so {Repository.CMakeProject}/cuda-stub.c");
        fx.Sh($"mkdir -p build/.cmake/api/v1/query && touch build/.cmake/api/v1/query/codemodel-v2 build/.cmake/api/v1/query/toolchains-v1");
        fx.Sh($"cmake -S {Repository.CMakeProject} -B build -DCUDA_STUBS_DIR={fx.P("stubs")} > /dev/null");
        var (code, sarif) = Run("cmake", fx.P("build"), "--format", "sarif");
        Assert.That(code, Is.EqualTo(1));
        using (var doc = JsonDocument.Parse(sarif))
        {
            var locations = doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
                .Select(r => r.GetProperty("locations")[0].GetProperty("physicalLocation")).ToList();
            Assert.That(locations, Has.Count.EqualTo(3));
            Assert.That(locations.Select(l => l.GetProperty("artifactLocation").GetProperty("uri").GetString()), Has.All.EndsWith("/CMakeLists.txt"));
            Assert.That(locations.Select(l => l.GetProperty("region").GetProperty("startLine").GetInt32()), Has.All.GreaterThan(0));
        }
        Assert.That(Validate(sarif, fx.Root), Is.Empty);
    }

    [Test]
    public void Runtime_sarif_with_findings_is_valid()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new LinkFixture();
        fx.SharedLib("lib/libdep.so.1", "int dep_fn(void) { return 1; }", "libdep.so.1");
        fx.SharedLib("lib/libbad.so", "int dep_fn(void); int b(void) { return dep_fn(); }", "libbad.so", "-Wl,--no-as-needed lib/libdep.so.1");
        var (code, sarif) = Run("runtime", fx.P("lib/libbad.so"), "--format", "sarif", "--ld-library-path", "");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(ResultCount(sarif), Is.GreaterThanOrEqualTo(1));
        Assert.That(Validate(sarif, fx.Root), Is.Empty);
    }
}
