using System.Collections;
using System.Diagnostics;
using NativeLinkGuard.CMake;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard cmake &lt;build-dir&gt; [--target NAME]... [--format text|json|sarif] [--hint-dir DIR]... [--configure] [--nested] [-v]</c>:
/// every link of a configured (not built) CMake build. Exit codes as for check.
/// </summary>
public static class CMakeCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? buildDir = null, format = "text";
        bool configure = false, nested = false, verbose = false;
        var targets = new List<string>();
        var hints = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            string a = args[i];
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (a)
            {
                case "--target": if (Next() is { } t) targets.Add(t); else return Usage(stderr, "--target needs a value"); break;
                case "--hint-dir": if (Next() is { } h) hints.Add(Path.GetFullPath(h)); else return Usage(stderr, "--hint-dir needs a value"); break;
                case "--format": format = Next(); break;
                case "--configure": configure = true; break;
                case "--nested": nested = true; break;
                case "-v" or "--verbose": verbose = true; break;
                default:
                    if (a.StartsWith('-') || buildDir is not null) return Usage(stderr, $"unexpected argument '{a}'");
                    buildDir = Path.GetFullPath(a);
                    break;
            }
        }
        if (buildDir is null) return Usage(stderr, "no build directory");
        if (format is not ("text" or "json" or "sarif")) return Usage(stderr, $"unknown format '{format}'");
        if (!File.Exists(Path.Combine(buildDir, "CMakeCache.txt")))
        {
            stderr.WriteLine($"nativelinkguard: {buildDir} is not a configured CMake build directory (no CMakeCache.txt)");
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
            "sarif" => SarifReportWriter.Write(reports, typeof(CMakeCommand).Assembly.GetName().Version?.ToString(3) ?? "0"),
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

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine("nativelinkguard: " + message);
        stderr.WriteLine("usage: nativelinkguard cmake <build-dir> [--target NAME]... [--format text|json|sarif] [--hint-dir DIR]... [--configure] [--nested] [-v]");
        return 2;
    }
}
