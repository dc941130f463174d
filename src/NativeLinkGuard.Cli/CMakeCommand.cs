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
        var options = new CMakeCheckOptions
        {
            Configure = args.Has("--configure"),
            Nested = args.Has("--nested"),
            Targets = args.Values("--target"),
        };
        var hints = args.Values("--hint-dir").Select(Path.GetFullPath).ToList();
        var sw = Stopwatch.StartNew();
        var check = new CMakeChecker().CheckDirectory(buildDir, options, ProcessEnvironment.Read(), hints);
        if (check.Failure != CMakeCheckFailure.None)
        {
            stderr.WriteLine($"nativelinkguard: {check.Error}");
            if (check.Failure == CMakeCheckFailure.Unreadable && !options.Configure)
                stderr.WriteLine("  or pass --configure to let nativelinkguard run it.");
            return ExitPolicy.CouldNotRun;
        }
        foreach (var line in check.Notes.Concat(check.Problems)) stderr.WriteLine("nativelinkguard: " + line);
        stdout.Write(format switch
        {
            "json" => JsonReportWriter.Write(check.Reports),
            "sarif" => SarifReportWriter.Write(check.Reports, Dispatcher.Version),
            _ => BuildReportWriter.Write(check.Reports, sw.Elapsed, args.Has("--verbose")),
        });
        return ExitPolicy.ForLinks(check.Reports);
    }
}
