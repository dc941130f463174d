using System.Text;

namespace NativeLinkGuard.Toolchain;

/// <summary>The linker's argv as the driver would run it, and which linker binary that is.</summary>
public sealed record ExpandedLink(
    IReadOnlyList<string> LinkerArguments,
    string LinkerPath,
    bool ViaDriver,
    string? DriverPath,
    IReadOnlyList<string> Notes);

/// <summary>
/// Expands a compiler-driver link command with <c>driver -### args</c>: the driver itself applies LIBRARY_PATH,
/// --sysroot, its implicit -L dirs and libraries and --as-needed defaults, so nothing is guessed.
/// </summary>
public static class DriverExpansion
{
    /// <summary>A program that is neither a linker nor a driver that knows -### (ar, a script) ends here.</summary>
    private static ToolchainException ExpansionFailed(string argv0, string stderr) => new(
        $"'{argv0} -###' failed: {LinkerProbe.FirstLine(LastErrorLine(stderr))} (a link is checked when a compiler "
        + "driver that knows -### (gcc, clang) or a linker (ld, ld.lld) runs it)");

    public static bool IsLinker(string argv0)
    {
        string n = Path.GetFileName(argv0);
        return n is "ld" or "ld.bfd" or "ld.gold" or "ld.lld" or "lld"
            || n.EndsWith("-ld", StringComparison.Ordinal) || n.EndsWith("-ld.bfd", StringComparison.Ordinal)
            || n.EndsWith("-ld.gold", StringComparison.Ordinal);
    }

    // linkerNames: a per-run memo of -print-prog-name answers,
    // so it is one process per driver and options, not per link.
    public static ExpandedLink Expand(IReadOnlyList<string> argv,
        string workingDirectory, IReadOnlyDictionary<string, string?> env,
        Dictionary<string, string>? linkerNames = null)
    {
        if (argv.Count == 0) throw new ToolchainException("empty link command");
        string? pathVar = env.TryGetValue("PATH", out var p) ? p : null;
        string tool = ProcessRunner.FindOnPath(argv[0], pathVar)
            ?? throw new ToolchainException($"'{argv[0]}' was not found on PATH; run the check where the toolchain "
                + "is installed, or pass --no-probe with --search-dir/--sysroot");
        if (IsLinker(argv[0]))
            return new ExpandedLink(argv, tool, false, null, []);

        string n = Path.GetFileName(tool);
        if (n.Contains("nvcc", StringComparison.Ordinal))
            throw new ToolchainException(
                "nvcc links are not expanded yet: check the host-compiler link that 'nvcc --dryrun' prints");

        var cacheFile = DriverExpansionCache.Key(tool, argv, workingDirectory, env);
        ProcessResult result;
        bool fromCache = false;
        if (DriverExpansionCache.Load(cacheFile) is { } cached)
        {
            result = new ProcessResult(0, "", cached, false);
            fromCache = true;
        }
        else
        {
            result = ProcessRunner.Run(tool, ["-###", .. argv.Skip(1)], env, workingDirectory);
            if (result.ExitCode == 0) DriverExpansionCache.Save(cacheFile, result.StandardError);
        }
        if (result.ExitCode != 0)
            throw ExpansionFailed(argv[0], result.StandardError);

        // The last command line that runs collect2 or a linker is the link.
        string? linkLine = null;
        foreach (var line in LogicalLines(result.StandardError))
        {
            if (!line.StartsWith(' ')) continue;
            var first = SplitDriverLine(line).FirstOrDefault();
            if (first is null) continue;
            string fn = Path.GetFileName(first);
            if (fn == "collect2" || IsLinker(fn)) linkLine = line;
        }
        if (linkLine is null)
            throw new ToolchainException($"'{argv[0]} -###' shows no link step (is -c, -S or -E in the command?)");

        var ldArgv = SplitDriverLine(linkLine);
        string linker = ldArgv[0];
        var notes =
            new List<string> { $"expanded with '{argv[0]} -###'{(fromCache ? " (from the expansion cache)" : "")}" };
        if (Path.GetFileName(linker) == "collect2")
        {
            // collect2 runs the linker gcc names for -print-prog-name (honouring -fuse-ld=).
            string fuse = argv.LastOrDefault(a => a.StartsWith("-fuse-ld=", StringComparison.Ordinal)) is { } f
                ? f["-fuse-ld=".Length..] : "";
            string prog = fuse.Length == 0 ? "ld" : fuse.Contains('/') ? fuse : "ld." + fuse;
            string[] printArgs = [.. argv.Where(a => a.StartsWith("-B", StringComparison.Ordinal)
                || a.StartsWith("--sysroot", StringComparison.Ordinal)), "-print-prog-name=" + prog];
            string key = tool + "\0" + string.Join('\0', printArgs);
            // The answer is kept with the cached expansion (same driver, arguments and PATH); else asked once per run.
            (string, string)? progFile = cacheFile is var (file, fileKey)
                ? (file + ".prog", fileKey + "\0" + string.Join('\0', printArgs)) : null;
            if (linkerNames is null || !linkerNames.TryGetValue(key, out var name))
            {
                name = DriverExpansionCache.Load(progFile)?.Trim();
                if (string.IsNullOrEmpty(name))
                {
                    var printed = ProcessRunner.Run(tool, printArgs, env, workingDirectory);
                    name = printed.ExitCode == 0 ? printed.StandardOutput.Trim() : prog;
                    if (printed.ExitCode == 0) DriverExpansionCache.Save(progFile, name);
                }
                linkerNames?.Add(key, name);
            }
            linker = ProcessRunner.FindOnPath(name, pathVar)
                ?? throw new ToolchainException($"the linker '{name}' that {argv[0]} runs was not found");
            notes.Add($"collect2 runs {linker}");
        }
        return new ExpandedLink(ldArgv, linker, true, tool, notes);
    }

    private static string LastErrorLine(string stderr) =>
        stderr.Split('\n').LastOrDefault(l => l.Contains("error", StringComparison.Ordinal)) ?? stderr;

    /// <summary>gcc -### quotes arguments with double quotes and escapes <c>\ " $ `</c> with a backslash.</summary>
    public static List<string> SplitDriverLine(string line)
    {
        var args = new List<string>();
        var cur = new StringBuilder();
        bool inQuotes = false, any = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\\' && i + 1 < line.Length) { cur.Append(line[++i]); any = true; continue; }
            if (c == '"') { inQuotes = !inQuotes; any = true; continue; }
            if (!inQuotes && char.IsWhiteSpace(c))
            {
                if (any) { args.Add(cur.ToString()); cur.Clear(); any = false; }
                continue;
            }
            cur.Append(c);
            any = true;
        }
        if (any) args.Add(cur.ToString());
        return args;
    }

    /// <summary>
    /// -### output split into command lines; a newline inside a quoted argument (a directory named with one) belongs
    /// to the argument, not the end of the command.
    /// </summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        var sb = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (ch == '\\' && quoted && i + 1 < text.Length) { sb.Append(ch).Append(text[++i]); continue; }
            if (ch == '"') quoted = !quoted;
            if (ch == '\n' && !quoted) { yield return sb.ToString(); sb.Clear(); continue; }
            sb.Append(ch);
        }
        if (sb.Length > 0) yield return sb.ToString();
    }
}
