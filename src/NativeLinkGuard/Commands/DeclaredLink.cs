namespace NativeLinkGuard.Commands;

/// <summary>
/// A link as a build file declares it (an MSBuild <c>NativeLink</c> item): either its command line as the build runs
/// it, or its parts — libraries, library directories, type, language — from which the command a conda-activated or
/// CI environment would run is built with <c>CC</c>/<c>CXX</c> (else <c>cc</c>/<c>c++</c>) and <c>LDFLAGS</c>.
/// Relative directories are taken from the base directory the request is made for.
/// </summary>
public sealed record DeclaredLink(string Output)
{
    /// <summary>The link command line as the build runs it (shell words); declarative when empty.</summary>
    public string Command { get; init; } = "";

    /// <summary>The link's working directory; the base directory when empty.</summary>
    public string WorkingDirectory { get; init; } = "";

    /// <summary>Declarative: what follows <c>-l</c> (<c>ggml-cuda</c>, <c>:libfoo.so.1</c>), in link order.</summary>
    public IReadOnlyList<string> Libraries { get; init; } = [];

    /// <summary>Declarative: the <c>-L</c> directories, in order.</summary>
    public IReadOnlyList<string> LibraryDirectories { get; init; } = [];

    /// <summary>Declarative: <c>exe</c> (the default) or <c>shared</c>.</summary>
    public string Type { get; init; } = "";

    /// <summary>
    /// Declarative: <c>c</c> (the default) or <c>c++</c>: which driver variable, CC or CXX, links it.
    /// </summary>
    public string Compiler { get; init; } = "";

    /// <summary>Directories to look in for fixes, besides the request's own.</summary>
    public IReadOnlyList<string> HintDirectories { get; init; } = [];

    private bool IsCxx => Compiler is "c++" or "cxx" or "CXX";

    /// <summary>The check request for this link; null with the reason when the declaration cannot be used.</summary>
    public CheckRequest? ToRequest(
        string baseDirectory,
        IReadOnlyDictionary<string, string?> env,
        IReadOnlyList<string> hintDirectories,
        out string? problem)
    {
        problem = null;
        string cwd = WorkingDirectory.Length > 0 ? Absolute(baseDirectory, WorkingDirectory) : baseDirectory;
        var hints = hintDirectories.Concat(HintDirectories).Select(h => Absolute(baseDirectory, h)).ToList();
        if (Command.Length > 0)
        {
            if (!CommandLineSplitter.TrySplitShell(Command, out var argv, out var error) || argv.Count == 0)
            {
                problem = $"Command cannot be split: {error ?? "empty"}";
                return null;
            }
            return new CheckRequest(argv, cwd, env, hints);
        }
        if (Libraries.Count == 0)
        {
            problem = "give either Command or Libraries";
            return null;
        }
        return new CheckRequest(CommandFromParts(baseDirectory, env), cwd, env, hints, ObjectsUnknown: true);
    }

    /// <summary>
    /// The command the declared parts stand for: driver, -shared, -o, LDFLAGS, -L…, -l… in that order.
    /// </summary>
    public IReadOnlyList<string> CommandFromParts(string baseDirectory, IReadOnlyDictionary<string, string?> env)
    {
        var argv = new List<string>();
        argv.AddRange(Words(env, IsCxx ? "CXX" : "CC") is { Count: > 0 } driver ? driver : [IsCxx ? "c++" : "cc"]);
        if (Type.Equals("shared", StringComparison.OrdinalIgnoreCase)) argv.Add("-shared");
        argv.AddRange(["-o", Output]);
        argv.AddRange(Words(env, "LDFLAGS"));
        argv.AddRange(LibraryDirectories.Select(d => "-L" + Absolute(baseDirectory, d)));
        argv.AddRange(Libraries.Select(l => "-l" + l));
        return argv;
    }

    /// <summary>An environment variable split as the shell would; none when unset, blank or not splittable.</summary>
    private static IReadOnlyList<string> Words(IReadOnlyDictionary<string, string?> env, string name) =>
        env.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            && CommandLineSplitter.TrySplitShell(value, out var words, out _)
            ? words
            : [];

    private static string Absolute(string baseDirectory, string path) =>
        Path.GetFullPath(Path.Combine(baseDirectory, path));
}
