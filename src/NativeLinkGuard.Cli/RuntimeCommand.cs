using NativeLinkGuard.Cli.CommandLine;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.IO;
using NativeLinkGuard.Reporting;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard runtime [options] &lt;file&gt;...</c>: will glibc's ld.so load each file where it lies
/// (as dlopen or <c>ldd</c> would)? LD_LIBRARY_PATH is taken from the environment unless --ld-library-path says
/// what the deployment sets ("" for none). Exit code 0 every file loads, 1 one does not, 2 usage error.
/// </summary>
public static class RuntimeCommand
{
    public static CliCommand Definition { get; } = new("runtime",
        "will glibc's ld.so load each file where it lies (as dlopen or ldd would)?",
        [
            CliOption.Format("text", "json", "sarif"),
            CliOption.LdLibraryPath,
            CliOption.DeploymentSysroot,
            CliOption.HintDir,
            new("--cwd", "the process's working directory (relative and empty search-path elements)")
            {
                ValueName = "DIR",
            },
            CliOption.Verbose("list every library loaded and the rule that found it"),
        ],
        Run)
    {
        Arguments = "<file>...",
        MinArguments = 1,
        Details = "exit code: 0 every file loads, 1 one does not, 2 usage error",
    };

    private static int Run(ParsedArguments args, TextWriter stdout, TextWriter stderr)
    {
        string format = args.Value("--format", "text")!;
        bool verbose = args.Has("--verbose");
        string? llp = args.Value("--ld-library-path", Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"));
        string sysroot = args.Value("--sysroot") is { } s ? Path.GetFullPath(s) : "";
        string cwd = args.Value("--cwd") is { } c ? Path.GetFullPath(c) : Environment.CurrentDirectory;
        var hints = args.Values("--hint-dir").Select(Path.GetFullPath).ToList();
        var files = args.Arguments;
        var checker = new RuntimeChecker(new RuntimeRequest
        {
            WorkingDirectory = cwd, LdLibraryPath = llp, Sysroot = sysroot, HintDirectories = hints,
            CacheDirectory = ProbeCacheFile.Directory(ProcessEnvironment.Read()),
            IncludeLibraries = format != "text" || verbose,
        });
        if (format == "sarif")
        {
            var all = checker.CheckAll(files);
            stdout.Write(RuntimeReportWriter.Sarif(all, Dispatcher.Version));
            return ExitPolicy.ForRuntime(all);
        }
        // Text and JSON are written as each file's report is made, the next ones being made meanwhile on a second
        // thread (a few ahead: a JSON report lists every lookup); only whether each loaded is kept.
        var loaded = new List<bool>(files.Count);
        var made = format == "json" && files.Count > 1
            ? ReadAhead.Of(checker.CheckEach(files), batchSize: 2)
            : checker.CheckEach(files);
        var reports = made.Select(r =>
        {
            loaded.Add(r.Loadable);
            return r;
        });
        if (format == "text") RuntimeReportWriter.WriteText(stdout, reports, verbose);
        else if (stdout is StreamWriter { BaseStream: var stream })
        {
            stdout.Flush();
            RuntimeReportWriter.WriteJson(stream, reports);
        }
        else stdout.Write(RuntimeReportWriter.Json(reports));
        return ExitPolicy.ForRuntime(loaded);
    }
}
