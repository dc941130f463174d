using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard runtime &lt;file&gt;... [--format text|json|sarif] [--ld-library-path PATH] [--sysroot DIR]
/// [--hint-dir DIR]... [--cwd DIR] [-v]</c>: will glibc's ld.so load each file where it lies (as dlopen or
/// <c>ldd</c> would)? LD_LIBRARY_PATH is taken from the environment unless --ld-library-path says what the
/// deployment sets ("" for none). Exit code 0 every file loads, 1 one does not, 2 usage error.
/// </summary>
public static class RuntimeCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string format = "text";
        bool verbose = false;
        string? llp = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        string sysroot = "";
        string cwd = Environment.CurrentDirectory;
        var hints = new List<string>();
        var files = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--format" && i + 1 < args.Length) format = args[++i];
            else if (a == "--ld-library-path" && i + 1 < args.Length) llp = args[++i];
            else if (a == "--sysroot" && i + 1 < args.Length) sysroot = Path.GetFullPath(args[++i]);
            else if (a == "--hint-dir" && i + 1 < args.Length) hints.Add(Path.GetFullPath(args[++i]));
            else if (a == "--cwd" && i + 1 < args.Length) cwd = Path.GetFullPath(args[++i]);
            else if (a is "-v" or "--verbose") verbose = true;
            else if (a == "--") files.AddRange(args[(i + 1)..]);
            else if (a.StartsWith('-')) { stderr.WriteLine($"nativelinkguard: unknown option '{a}'"); return 2; }
            else files.Add(a);
            if (a == "--") break;
        }
        if (files.Count == 0 || format is not ("text" or "json" or "sarif"))
        {
            stderr.WriteLine("usage: nativelinkguard runtime <file>... [--format text|json|sarif] [--ld-library-path PATH] [--sysroot DIR] [--hint-dir DIR]... [--cwd DIR] [-v]");
            return 2;
        }
        string? cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".cache") : null;
        var checker = new RuntimeChecker(new RuntimeRequest
        {
            WorkingDirectory = cwd, LdLibraryPath = llp, Sysroot = sysroot, HintDirectories = hints,
            CacheDirectory = cacheRoot is null ? null : Path.Combine(cacheRoot, "nativelinkguard"),
            IncludeLibraries = format != "text" || verbose,
        });
        var reports = checker.CheckAll(files);
        if (format == "text") RuntimeReportWriter.WriteText(stdout, reports, verbose);
        else if (format == "json" && stdout is StreamWriter { BaseStream: var stream })
        {
            stdout.Flush();
            RuntimeReportWriter.WriteJson(stream, reports);
        }
        else stdout.Write(format == "json" ? RuntimeReportWriter.Json(reports)
            : RuntimeReportWriter.Sarif(reports, typeof(RuntimeCommand).Assembly.GetName().Version?.ToString(3) ?? "0"));
        return reports.All(r => r.Loadable) ? 0 : 1;
    }
}
