using System.Collections;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard check [--format text|json|sarif] [--hint-dir DIR]... [--cwd DIR] [-v] -- &lt;link command&gt;</c>.
/// Exit codes: 0 predicted to succeed, 1 predicted to fail, 2 usage error or the check could not run.
/// </summary>
public static class CheckCommand
{
    public const string Usage = """
        usage: nativelinkguard cmake <build-dir> [--target NAME]... [--format text|json|sarif] [--hint-dir DIR]... [--configure] [--nested]
               nativelinkguard audit <dir>... [--format text|json]
               nativelinkguard runtime <file>... [--format text|json|sarif] [--ld-library-path PATH] [--sysroot DIR] [--hint-dir DIR]... [-v]
               nativelinkguard check [--format text|json|sarif] [--hint-dir DIR]... [--cwd DIR] [--verbose]
                                     [--no-probe [--search-dir DIR]... [--sysroot DIR]] -- <link command>

          Predicts whether GNU ld will resolve every library of the link, without running it.
          <link command> is the compiler-driver (gcc, g++, cc, clang…) or ld command line, as the build runs it.

          --format FMT     text (default), json (docs/json-schema.md) or sarif (SARIF 2.1.0)
          --hint-dir DIR   also look for missing libraries in DIR when suggesting fixes (repeatable)
          --cwd DIR        the link's working directory (default: the current directory)
          --verbose, -v    print the linker command and how the toolchain was probed
          --no-probe       do not run the toolchain: use the built-in GNU ld model (Debian x86-64 defaults)
          --search-dir DIR with --no-probe: the linker's default SEARCH_DIRs, in order (repeatable; '=' = sysroot)
          --sysroot DIR    with --no-probe: the sysroot the link uses

        exit code: 0 the link is predicted to succeed, 1 predicted to fail, 2 usage error or the check could not run
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version")
        {
            stdout.WriteLine(typeof(CheckCommand).Assembly.GetName().Version?.ToString(3));
            return 0;
        }
        if (args[0] == "cmake") return CMakeCommand.Run(args, stdout, stderr);
        if (args[0] == "audit") return AuditCommand.Run(args, stdout, stderr);
        if (args[0] == "runtime") return RuntimeCommand.Run(args, stdout, stderr);
        if (args[0] != "check")
        {
            stderr.WriteLine($"nativelinkguard: unknown command '{args[0]}'");
            stderr.WriteLine(Usage);
            return 2;
        }

        string format = "text";
        string cwd = Environment.CurrentDirectory;
        bool verbose = false;
        var hints = new List<string>();
        var searchDirs = new List<string>();
        string? sysroot = null;
        bool noProbe = false;
        int i = 1;
        for (; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--") { i++; break; }
            string? Next()
            {
                if (i + 1 < args.Length) return args[++i];
                stderr.WriteLine($"nativelinkguard: {a} needs a value");
                return null;
            }
            switch (a)
            {
                case "--format":
                    if (Next() is not { } f) return 2;
                    format = f;
                    break;
                case "--hint-dir":
                    if (Next() is not { } h) return 2;
                    hints.Add(h);
                    break;
                case "--cwd":
                    if (Next() is not { } c) return 2;
                    cwd = Path.GetFullPath(c);
                    break;
                case "--no-probe":
                    noProbe = true;
                    break;
                case "--search-dir":
                    if (Next() is not { } sd) return 2;
                    searchDirs.Add(sd);
                    break;
                case "--sysroot":
                    if (Next() is not { } sr) return 2;
                    sysroot = sr;
                    break;
                case "-v" or "--verbose":
                    verbose = true;
                    break;
                default:
                    stderr.WriteLine($"nativelinkguard: unknown option '{a}' (put the link command after --)");
                    return 2;
            }
        }
        if (format is not ("text" or "json" or "sarif"))
        {
            stderr.WriteLine($"nativelinkguard: unknown format '{format}' (text, json or sarif)");
            return 2;
        }
        var command = args[i..];
        if (command.Length == 0)
        {
            stderr.WriteLine("nativelinkguard: no link command after --");
            stderr.WriteLine(Usage);
            return 2;
        }
        if (!Directory.Exists(cwd))
        {
            stderr.WriteLine($"nativelinkguard: --cwd {cwd}: no such directory");
            return 2;
        }

        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            env[(string)e.Key] = (string?)e.Value;

        LinkReport report;
        try
        {
            if (!noProbe && (searchDirs.Count > 0 || sysroot is not null))
            {
                stderr.WriteLine("nativelinkguard: --search-dir and --sysroot go with --no-probe (a probed toolchain says these itself)");
                return 2;
            }
            report = new LinkChecker().Check(new CheckRequest(command, cwd, env, hints,
                BuiltInModel: noProbe, SearchDirectories: searchDirs, Sysroot: sysroot));
        }
        catch (Exception e)
        {
            // The check must never be what breaks a build: report and exit 2.
            stderr.WriteLine($"nativelinkguard: {DiagnosticCodes.CheckFailed}: internal error: {e.GetType().Name}: {e.Message}");
            return 2;
        }

        string text = format switch
        {
            "json" => JsonReportWriter.Write([report]),
            "sarif" => SarifReportWriter.Write([report], typeof(CheckCommand).Assembly.GetName().Version?.ToString(3) ?? "0"),
            _ => TextReportWriter.Write(report, color: !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null, verbose),
        };
        stdout.Write(text);
        if (report.Findings.Any(f => f.Code == DiagnosticCodes.CheckFailed)) return 2;
        return report.PredictedOutcome == PredictedOutcome.Fails ? 1 : 0;
    }
}
