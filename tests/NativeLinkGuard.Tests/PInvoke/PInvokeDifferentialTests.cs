using System.Text.RegularExpressions;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.PInvoke;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.PInvoke;

/// <summary>
/// The P/Invoke check against the real .NET runtime: for each output of the fixture app (build, framework-dependent
/// publish, self-contained linux-x64 publish) and each placement of the fixture libraries, every entry point is run
/// and its outcome (OK or DllNotFoundException, the library named, the missing dependency) must equal the check's.
/// </summary>
[Category("Differential")]
[Category("RequiresCc")]
[NonParallelizable]
public sealed partial class PInvokeDifferentialTests
{
    public enum Output { Build, PublishFrameworkDependent, PublishSelfContained }
    public enum Placement { Nowhere, AppDirectory, LdLibraryPath, RunPathAndWrongArchitecture }

    private static IEnumerable<TestCaseData> Cases() =>
        from o in Enum.GetValues<Output>() from p in Enum.GetValues<Placement>() select new TestCaseData(o, p);

    private static PInvokeAppFixture Fixture()
    {
        Tool.RequireOnPath("gcc", "dotnet");
        var fx = PInvokeAppFixture.Get();
        Assert.That(fx.BuildError, Is.Null, fx.BuildError);
        return fx;
    }

    private static string Dir(PInvokeAppFixture fx, Output o) => o switch
    {
        Output.Build => fx.Build,
        Output.PublishFrameworkDependent => fx.PublishFdd,
        _ => fx.PublishSelfContained,
    };

    /// <summary>Puts the libraries where PLACEMENT says; returns the LD_LIBRARY_PATH and the files to remove afterwards.</summary>
    private static (string? LdLibraryPath, List<string> Placed) Place(PInvokeAppFixture fx, string app, Placement placement)
    {
        var placed = new List<string>();
        void Put(string file, string dir, string? asName = null)
        {
            Directory.CreateDirectory(dir);
            string to = Path.Combine(dir, asName ?? file);
            File.Copy(Path.Combine(fx.Fixtures, file), to, true);
            placed.Add(to);
        }
        string[] all = ["libnlgx.so", "libnlgli.so", "libnlguser.so", "libnlgdep.so.1"];
        switch (placement)
        {
            case Placement.AppDirectory:
                foreach (var f in all) Put(f, app);
                Put("libnlgdrv.so.1", Path.Combine(app, "drv"));
                return (null, placed);
            case Placement.LdLibraryPath:
                string l = fx.P("ldlp");
                foreach (var f in all.Append("libnlgdrv.so.1")) Put(f, l);
                return (l, placed);
            case Placement.RunPathAndWrongArchitecture:
                Tool.RequireOnPath("patchelf", "aarch64-linux-gnu-gcc");
                Put("libnlguser.so", app);
                Put("libnlgdep.so.1", app);
                Assert.That(Tool.Run(app, "patchelf", "--set-rpath", "$ORIGIN", "libnlguser.so").ExitCode, Is.EqualTo(0));
                Put("aarch64-libnlgx.so", app, "libnlgx.so");
                Put("libnlgx.so", fx.P("ldlp2"));
                return (fx.P("ldlp2"), placed);
            default:
                return (null, placed);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Each_entry_point_loads_exactly_when_the_check_says_so(Output output, Placement placement)
    {
        var fx = Fixture();
        string app = Dir(fx, output);
        var (llp, placed) = Place(fx, app, placement);
        try
        {
            var report = PInvokeChecker.Check(app, new PInvokeRequest { LdLibraryPath = llp, WorkingDirectory = fx.Root });
            using (Assert.EnterMultipleScope())
            {
                foreach (string mode in PInvokeAppFixture.Modes)
                {
                    var run = PInvokeAppFixture.RunApp(app, mode, llp, fx.Root);
                    string said = run.StandardOutput.Trim();
                    Assert.That(said, Does.StartWith("OK").Or.StartWith("DNF"), $"{mode}: {said}{run.StandardError}");
                    bool loads = said.StartsWith("OK", StringComparison.Ordinal);
                    var lib = report.Libraries.SingleOrDefault(l => l.Importers.Any(i => i.Member == "P." + mode || i.Member.StartsWith($"P.<{mode}>", StringComparison.Ordinal)));
                    Assert.That(lib, Is.Not.Null, $"{mode}: the check did not see this import");
                    if (lib is null) continue;
                    Assert.That(lib.Loads, Is.EqualTo(loads), $"{output}/{placement}/{mode}: runtime said {said}; the check tried:\n" +
                        string.Join("\n", lib.Trace.Select(t => $"  {t.Path} [{t.Rule}] {t.Result}")));
                    if (loads) continue;
                    var finding = report.Findings.Single(f => f.Code == DiagnosticCodes.PInvokeLibraryNotFound && f.Chain.Contains(lib.Importers[0].Member));
                    string named = QuotedName().Match(said).Groups[1].Value;
                    Assert.That(finding.LdMessage, Does.Contain($"'{named}'"), $"{mode}: the library the exception names");
                    if (said.Contains("libnlgdep.so.1: cannot open shared object file", StringComparison.Ordinal))
                        Assert.That(string.Join("\n", finding.Notes), Does.Contain("libnlgdep.so.1"), $"{mode}: the missing dependency");
                }
            }
        }
        finally
        {
            foreach (var f in placed) File.Delete(f);
        }
    }

    /// <summary>The first fix for a library that is nowhere the app looks, applied as the item would (copied next to the app), makes the real app load it.</summary>
    [TestCase(Output.Build)]
    [TestCase(Output.PublishSelfContained)]
    public void The_first_fix_applied_makes_the_app_load_it(Output output)
    {
        var fx = Fixture();
        string app = Dir(fx, output);
        var report = PInvokeChecker.Check(app, new PInvokeRequest { WorkingDirectory = fx.Root, HintDirectories = [fx.Fixtures] });
        var placed = new List<string>();
        try
        {
            foreach (string mode in new[] { "X", "AppRel" })
            {
                var finding = report.Findings.Single(f => f.Chain.Contains("P." + mode));
                var fix = finding.Suggestions.FirstOrDefault();
                Assert.That(fix, Is.Not.Null, $"{mode}: a fix");
                Assert.That(fix!.Quality, Is.EqualTo(SuggestionQuality.Proper));
                Assert.That(fix.Verified, Is.True);
                var m = ItemLink().Match(fix.Summary);
                Assert.That(m.Success, Is.True, fix.Summary);
                string to = Path.Combine(app, m.Groups[2].Value);
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(m.Groups[1].Value, to, true);
                placed.Add(to);
                Assert.That(PInvokeAppFixture.RunApp(app, mode, null, fx.Root).StandardOutput, Does.StartWith("OK"), mode);
            }
        }
        finally
        {
            foreach (var f in placed) File.Delete(f);
        }
    }

    /// <summary>
    /// The order, not only the outcome: every path the real runtime opens for the library (strace's openat calls,
    /// from the runtime's own probing and from ld.so's search) equals the check's trace, path for path.
    /// </summary>
    [TestCase(Output.Build, "X", "nlgx")]
    [TestCase(Output.Build, "LibXSo", "nlgx")]
    [TestCase(Output.Build, "Safe", "nlgx")]
    [TestCase(Output.Build, "AsmDir", "nlgx")]
    [TestCase(Output.Build, "LoadPath", "nlgx")]
    [TestCase(Output.Build, "Li", "nlgli")]
    [TestCase(Output.Build, "AppRel", "nlgdrv")]
    [TestCase(Output.PublishFrameworkDependent, "User", "nlguser")]
    [TestCase(Output.PublishSelfContained, "X", "nlgx")]
    [TestCase(Output.PublishSelfContained, "Safe", "nlgx")]
    public void The_paths_tried_are_the_runtimes_own_in_order(Output output, string mode, string stem)
    {
        var fx = Fixture();
        Tool.RequireOnPath("strace");
        string app = Dir(fx, output);
        string log = fx.P($"strace-{output}-{mode}.txt");
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        env.Remove("LD_LIBRARY_PATH");
        var run = NativeLinkGuard.Toolchain.ProcessRunner.Run("strace", ["-f", "-qq", "-e", "trace=openat", "-o", log, Path.Combine(app, "PInvokeApp"), mode], env, fx.Root, 60_000);
        Assert.That(run.StandardOutput, Does.StartWith("DNF"), run.StandardOutput + run.StandardError);
        var real = File.ReadLines(log).Select(l => OpenatPath().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)
            .Where(p => Path.GetFileName(p).Contains(stem, StringComparison.Ordinal)).ToList();
        // The runtime opens an absolute candidate twice (its own try, then dlopen's); the check lists each path once.
        real = real.Where((p, i) => i == 0 || real[i - 1] != p).ToList();

        var report = PInvokeChecker.Check(app, new PInvokeRequest { WorkingDirectory = fx.Root, LdLibraryPath = null });
        var lib = report.Libraries.Single(l => l.Importers.Any(i => i.Member == "P." + mode || i.Member.StartsWith($"P.<{mode}>", StringComparison.Ordinal)));
        var predicted = lib.Trace.Select(t => t.Path).Where(p => Path.GetFileName(p).Contains(stem, StringComparison.Ordinal)).ToList();
        Assert.That(predicted, Is.EqualTo(real), $"strace: {log}");
    }

    /// <summary>
    /// linux-arm64 (predicted only: this machine cannot run it): the rules are the RID-generic ones the x64 cases
    /// verified; the ABI is the RID's, the deployment's libc is modelled by Debian's aarch64 cross sysroot. An
    /// aarch64 library in the app directory loads, the x86-64 one does not, and the package with only a linux-x64
    /// asset gives arm64 nothing.
    /// </summary>
    [Test]
    public void Linux_arm64_publish_is_predicted_with_the_arm64_abi()
    {
        var fx = Fixture();
        Tool.RequireOnPath("aarch64-linux-gnu-gcc");
        const string sysroot = "/usr/aarch64-linux-gnu";
        Tool.Require(File.Exists(Path.Combine(sysroot, "lib", "libc.so.6")), "needs the aarch64 cross libc (libc6-arm64-cross)");
        Assert.That(fx.Arm64Error, Is.Null, fx.Arm64Error);
        string app = fx.PublishArm64;
        var request = new PInvokeRequest { WorkingDirectory = fx.Root, Sysroot = sysroot };
        File.Copy(Path.Combine(fx.Fixtures, "aarch64-libnlgx.so"), Path.Combine(app, "libnlgx.so"), true);
        File.Copy(Path.Combine(fx.Fixtures, "libnlgli.so"), Path.Combine(app, "libnlgli.so"), true);
        try
        {
            var report = PInvokeChecker.Check(app, request);
            Assert.That(report.Layout.Rid, Is.EqualTo("linux-arm64"));
            PInvokeLibrary Lib(string mode) => report.Libraries.Single(l => l.Importers.Any(i => i.Member == "P." + mode || i.Member.StartsWith($"P.<{mode}>", StringComparison.Ordinal)));
            Assert.That(Lib("X").Loads, Is.True, string.Join("\n", Lib("X").Trace));
            Assert.That(Lib("X").LoadedFrom, Is.EqualTo(Path.Combine(app, "libnlgx.so")));
            Assert.That(Lib("Li").Loads, Is.False);
            Assert.That(Lib("Li").Trace.Select(t => t.Result), Has.Some.Contains("built for elf64-x86-64"));
            Assert.That(Lib("Pkg").Loads, Is.False, "no runtimes/linux-arm64 asset in the package");
        }
        finally
        {
            File.Delete(Path.Combine(app, "libnlgx.so"));
            File.Delete(Path.Combine(app, "libnlgli.so"));
        }
    }

    [GeneratedRegex("openat\\(AT_FDCWD, \"([^\"]+)\"")]
    private static partial Regex OpenatPath();

    /// <summary>
    /// A library found in the app directory whose dependency ld.so will not find there: the fix is the runtime
    /// engine's (a run path of $ORIGIN), and running its command on the deployed copy makes the real app load it.
    /// </summary>
    [Test]
    public void A_missing_dependency_gets_the_runtime_fix_and_it_works()
    {
        var fx = Fixture();
        Tool.RequireOnPath("patchelf");
        string app = fx.Build;
        var (_, placed) = Place(fx, app, Placement.AppDirectory);
        try
        {
            Assert.That(PInvokeAppFixture.RunApp(app, "User", null, fx.Root).StandardOutput, Does.Contain("libnlgdep.so.1: cannot open shared object file"));
            var report = PInvokeChecker.Check(app, new PInvokeRequest { WorkingDirectory = fx.Root });
            var finding = report.Findings.Single(f => f.Chain.Contains("P.User"));
            Assert.That(finding.Notes, Has.Some.Contains("libnlgdep.so.1"));
            var fix = finding.Suggestions.First();
            Assert.That(fix.Quality, Is.EqualTo(SuggestionQuality.Proper));
            Assert.That(fix.Commands, Is.Not.Null.And.Not.Empty, fix.Summary);
            foreach (var c in fix.Commands!) Assert.That(Tool.Run(app, "sh", "-c", c).ExitCode, Is.EqualTo(0), c);
            Assert.That(PInvokeAppFixture.RunApp(app, "User", null, fx.Root).StandardOutput, Does.StartWith("OK 42"));
        }
        finally
        {
            foreach (var f in placed) File.Delete(f);
        }
    }

    [GeneratedRegex("shared library '([^']*)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex("<None Include=\"([^\"]+)\" Link=\"([^\"]+)\"")]
    private static partial Regex ItemLink();
}
