using NativeLinkGuard.Cli.CommandLine;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.PInvoke;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard pinvoke [options] &lt;app.dll | output-or-publish-dir&gt;</c>: will the .NET runtime load each
/// native library the app imports (DllImport, LibraryImport, NativeLibrary.Load) where the app lies? Exit code 0
/// every library loads, 1 one does not, 2 usage error.
/// </summary>
public static class PInvokeCommand
{
    public static CliCommand Definition { get; } = new("pinvoke",
        "will the .NET runtime load each native library the app imports, where the app is deployed?",
        [
            CliOption.Format("text", "json", "sarif"),
            new("--rid",
                "the RID the app runs as, for a RID-less build output (default: this machine's, e.g. linux-x64)")
            {
                ValueName = "RID",
            },
            CliOption.LdLibraryPath,
            CliOption.DeploymentSysroot,
            CliOption.HintDir,
            new("--cwd", "the app's working directory (names with a '/' are opened from there)")
            {
                ValueName = "DIR",
            },
            CliOption.Verbose("list the native search directories and where each library loads from"),
        ],
        Run)
    {
        Arguments = "<app.dll | output-or-publish-dir>",
        MinArguments = 1,
        MaxArguments = 1,
        Details = "exit code: 0 every library loads, 1 one does not, 2 usage error",
    };

    private static int Run(ParsedArguments args, TextWriter stdout, TextWriter stderr)
    {
        string format = args.Value("--format", "text")!;
        string app = args.Arguments[0];
        if (!File.Exists(app) && !Directory.Exists(app))
            throw new CliUsageException($"{app}: no such file or directory");
        PInvokeReport report;
        try
        {
            report = PInvokeChecker.Check(app, new PInvokeRequest
            {
                RuntimeIdentifier = args.Value("--rid"),
                Sysroot = args.Value("--sysroot") is { } sr ? Path.GetFullPath(sr) : "",
                LdLibraryPath = args.Value("--ld-library-path", Environment.GetEnvironmentVariable("LD_LIBRARY_PATH")),
                WorkingDirectory = args.Value("--cwd") is { } c ? Path.GetFullPath(c) : Environment.CurrentDirectory,
                HintDirectories = args.Values("--hint-dir").Select(Path.GetFullPath).ToList(),
                CacheDirectory = ProbeCacheFile.Directory(ProcessEnvironment.Read()),
            });
        }
        catch (FileNotFoundException e)
        {
            stderr.WriteLine($"nativelinkguard pinvoke: {e.Message}");
            return ExitPolicy.CouldNotRun;
        }
        stdout.Write(format switch
        {
            "json" => PInvokeReportWriter.Json(report),
            "sarif" => PInvokeReportWriter.Sarif(report, Dispatcher.Version),
            _ => PInvokeReportWriter.Text(report, args.Has("--verbose")),
        });
        return ExitPolicy.ForPInvoke(report);
    }
}
