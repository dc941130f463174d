using System.Collections;
using System.Diagnostics;
using NativeLinkGuard.Cli.CommandLine;
using NativeLinkGuard.CMake;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard cmake [options] &lt;build-dir&gt;</c>:
/// every link of a configured (not built) CMake build. Exit codes as for check.
/// </summary>
public static class CMakeCommand
{
    public static CliCommand Definition { get; } = new("cmake",
        "checks every link of a configured (not built) CMake build, in build order",
        [
            new("--target", "check only this target") { ValueName = "NAME", Repeatable = true },
            CliOption.Format("text", "json", "sarif"),
            CliOption.HintDir,
            new("--configure", "write the CMake File API query and re-run the configure step first"),
            new("--nested", "also check the builds configured inside the build tree (ExternalProject, super-builds)"),
            CliOption.Verbose("print every link, not only the ones with findings"),
        ],
        Run)
    {
        Arguments = "<build-dir>",
        MinArguments = 1,
        MaxArguments = 1,
        Details = "exit code: 0 every link is predicted to succeed, 1 one is predicted to fail, "
            + "2 usage error or the check could not run",
    };

    private static int Run(ParsedArguments args, TextWriter stdout, TextWriter stderr)
    {
        string buildDir = Path.GetFullPath(args.Arguments[0]);
        string format = args.Value("--format", "text")!;
        bool configure = args.Has("--configure"), nested = args.Has("--nested"), verbose = args.Has("--verbose");
        var targets = args.Values("--target");
        var hints = args.Values("--hint-dir").Select(Path.GetFullPath).ToList();
        if (!File.Exists(Path.Combine(buildDir, "CMakeCache.txt")))
        {
            stderr.WriteLine(
                $"nativelinkguard: {buildDir} is not a configured CMake build directory (no CMakeCache.txt)");
            return 2;
        }
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env[(string)e.Key] = (string?)e.Value;

        var sw = Stopwatch.StartNew();
        var loaded = CMakeBuildLoader.Load(buildDir, configure, env, out string? loadError);
        if (loaded is null)
        {
            stderr.WriteLine($"nativelinkguard: {loadError}");
            if (!configure) stderr.WriteLine("  or pass --configure to let nativelinkguard run it.");
            return 2;
        }
        if (loaded.Note is not null) stderr.WriteLine("nativelinkguard: " + loaded.Note);
        var build = loaded.Build;
        var unknown = targets.Where(t => !build.Targets.Any(x => x.Name == t)).ToList();
        if (unknown.Count > 0)
        {
            stderr.WriteLine($"nativelinkguard: no target named {string.Join(", ", unknown)} in {buildDir}");
            return 2;
        }
        var checker = new CMakeChecker();
        var reports = checker.Check(build, env, hints, targets.Count > 0 ? targets : null).ToList();
        if (nested)
        {
            // External-project and super-build sub-builds configured inside this build tree have their own build dirs.
            foreach (var sub in NestedBuildDirectories(buildDir))
            {
                var subReports = checker.CheckDirectory(sub, env, hints, out string? subError);
                if (subReports is null) stderr.WriteLine($"nativelinkguard: nested build {sub}: {subError}");
                else reports.AddRange(subReports.Select(r => r with { Notes = [$"nested build {sub}", .. r.Notes] }));
            }
        }
        int failures = reports.Count(r => r.PredictedOutcome == PredictedOutcome.Fails);
        string text = format switch
        {
            "json" => JsonReportWriter.Write(reports),
            "sarif" => SarifReportWriter.Write(reports, Dispatcher.Version),
            _ => BuildReportWriter.Write(reports, sw.Elapsed, verbose),
        };
        stdout.Write(text);
        if (reports.Any(r => r.Findings.Any(f => f.Code == DiagnosticCodes.CheckFailed))) return 2;
        return failures > 0 ? 1 : 0;
    }

    private static IEnumerable<string> NestedBuildDirectories(string top)
    {
        var found = new List<string>();
        void Walk(string dir, int depth)
        {
            if (depth > 6) return;
            IEnumerable<string> subs;
            try { subs = Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
            foreach (var d in subs)
            {
                string name = Path.GetFileName(d);
                if (name is "CMakeFiles" or ".cmake" || new DirectoryInfo(d).LinkTarget is not null) continue;
                if (File.Exists(Path.Combine(d, "CMakeCache.txt"))) found.Add(d);
                Walk(d, depth + 1);
            }
        }
        Walk(top, 0);
        return found;
    }
}
