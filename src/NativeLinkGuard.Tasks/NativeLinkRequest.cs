using Microsoft.Build.Framework;
using NativeLinkGuard.Commands;

namespace NativeLinkGuard.Tasks;

/// <summary>Maps one <c>NativeLink</c> item to a core <see cref="CheckRequest"/>.</summary>
internal static class NativeLinkRequest
{
    public static CheckRequest? From(ITaskItem item, string projectDirectory, IReadOnlyDictionary<string, string?> env,
        IReadOnlyList<string> hints, out string? problem)
    {
        problem = null;
        string cwd = item.GetMetadata("WorkingDirectory") is { Length: > 0 } wd ? Path.GetFullPath(Path.Combine(projectDirectory, wd)) : projectDirectory;
        var hintDirs = hints.Concat(Split(item.GetMetadata("HintDirectories"))).Select(h => Path.GetFullPath(Path.Combine(projectDirectory, h))).ToList();
        string command = item.GetMetadata("Command");
        if (command.Length > 0)
        {
            if (!CommandLineSplitter.TrySplitShell(command, out var argv, out var error) || argv.Count == 0)
            {
                problem = $"Command cannot be split: {error ?? "empty"}";
                return null;
            }
            return new CheckRequest(argv, cwd, env, hintDirs);
        }
        var libraries = Split(item.GetMetadata("Libraries")).ToList();
        if (libraries.Count == 0)
        {
            problem = "give either Command or Libraries";
            return null;
        }
        // Declarative: the command a conda-activated or CI environment would run, from CC/CXX and LDFLAGS.
        bool cxx = item.GetMetadata("Compiler") is "c++" or "cxx" or "CXX";
        string? compiler = env.TryGetValue(cxx ? "CXX" : "CC", out var c) && !string.IsNullOrWhiteSpace(c) ? c : null;
        var argvList = new List<string>();
        if (compiler is not null && CommandLineSplitter.TrySplitShell(compiler, out var compilerWords, out _) && compilerWords.Count > 0) argvList.AddRange(compilerWords);
        else argvList.Add(cxx ? "c++" : "cc");
        if (item.GetMetadata("Type").Equals("shared", StringComparison.OrdinalIgnoreCase)) argvList.Add("-shared");
        argvList.AddRange(["-o", item.ItemSpec]);
        if (env.TryGetValue("LDFLAGS", out var ldflags) && !string.IsNullOrWhiteSpace(ldflags) && CommandLineSplitter.TrySplitShell(ldflags, out var flagWords, out _))
            argvList.AddRange(flagWords);
        foreach (var d in Split(item.GetMetadata("LibraryDirectories"))) argvList.Add("-L" + Path.GetFullPath(Path.Combine(projectDirectory, d)));
        foreach (var l in libraries) argvList.Add("-l" + l);
        return new CheckRequest(argvList, cwd, env, hintDirs, ObjectsUnknown: true);
    }

    private static IEnumerable<string> Split(string list) =>
        list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
