using NativeLinkGuard.Cli.CommandLine;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard check [options] -- &lt;link command&gt;</c>.
/// Exit codes: 0 predicted to succeed, 1 predicted to fail, 2 usage error or the check could not run.
/// </summary>
public static class CheckCommand
{
    public static CliCommand Definition { get; } = new("check",
        "predicts whether GNU ld will resolve every library of one link, without running it",
        [
            CliOption.Format("text", "json", "sarif"),
            CliOption.HintDir,
            new("--cwd", "the link's working directory (default: the current directory)") { ValueName = "DIR" },
            CliOption.Verbose("print the linker command and how the toolchain was probed"),
            new("--no-probe", "do not run the toolchain: use the built-in GNU ld model (Debian x86-64 defaults)"),
            new("--search-dir", "with --no-probe: the linker's default SEARCH_DIRs, in order ('=' = sysroot)")
                { ValueName = "DIR", Repeatable = true },
            new("--sysroot", "with --no-probe: the sysroot the link uses") { ValueName = "DIR" },
        ],
        Run)
    {
        Passthrough = "<link command>",
        Details = """
            <link command> is the compiler-driver (gcc, g++, cc, clang…) or ld command line, as the build runs it.

            exit code: 0 the link is predicted to succeed, 1 predicted to fail, 2 usage error or the check could not run
            """,
    };

    private static bool Color => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    private static int Run(ParsedArguments args, TextWriter stdout, TextWriter stderr)
    {
        string format = args.Value("--format", "text")!;
        string cwd = args.Value("--cwd") is { } c ? Path.GetFullPath(c) : Environment.CurrentDirectory;
        bool noProbe = args.Has("--no-probe");
        var searchDirs = args.Values("--search-dir");
        string? sysroot = args.Value("--sysroot");
        if (!noProbe && (searchDirs.Count > 0 || sysroot is not null))
        {
            throw new CliUsageException(
                "--search-dir and --sysroot go with --no-probe (a probed toolchain says these itself)");
        }
        if (!Directory.Exists(cwd)) throw new CliUsageException($"--cwd {cwd}: no such directory");

        var report = new LinkChecker().Check(new CheckRequest(
            args.Passthrough, cwd, ProcessEnvironment.Read(), args.Values("--hint-dir"),
            BuiltInModel: noProbe, SearchDirectories: searchDirs, Sysroot: sysroot));

        string text = format switch
        {
            "json" => JsonReportWriter.Write([report]),
            "sarif" => SarifReportWriter.Write([report], Dispatcher.Version),
            _ => TextReportWriter.Write(report, Color, args.Has("--verbose")),
        };
        stdout.Write(text);
        return ExitPolicy.ForLinks([report]);
    }
}
