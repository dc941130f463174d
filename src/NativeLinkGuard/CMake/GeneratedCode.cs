using NativeLinkGuard.Symbols;

namespace NativeLinkGuard.CMake;

/// <summary>
/// The source text of a configured build (see <see cref="BuildSourceText"/>): the source tree CMakeCache.txt names,
/// and whether custom commands will generate code at build time (then the text cannot settle what the objects
/// define). Read from the generator's files, the same for every reader.
/// </summary>
public static class GeneratedCode
{
    private static readonly HashSet<string> s_codeExtensions = new(StringComparer.Ordinal)
    {
        ".c", ".cc", ".cpp", ".cxx", ".c++", ".C", ".h", ".hh", ".hpp", ".hxx", ".inc", ".inl", ".ipp", ".s", ".S",
        ".asm", ".cu", ".m", ".mm",
    };

    public static BuildSourceText? SourceText(string buildDir)
    {
        string? source = CacheValue(buildDir, "CMAKE_HOME_DIRECTORY");
        if (source is null || !Directory.Exists(source)) return null;
        return new BuildSourceText(source,
            () => FirstGenerated(buildDir) is { } generated
                ? $"the build generates code ({generated}) that does not exist yet"
                : null);
    }

    private static string? CacheValue(string buildDir, string name)
    {
        string cache = Path.Combine(buildDir, "CMakeCache.txt");
        if (!File.Exists(cache)) return null;
        foreach (var line in File.ReadLines(cache))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal) && line.IndexOf('=') is > 0 and var eq)
                return line[(eq + 1)..];
        }
        return null;
    }

    /// <summary>
    /// A code file a custom command writes: Ninja's CUSTOM_COMMAND outputs, make's "Generating X" steps.
    /// </summary>
    private static string? FirstGenerated(string buildDir)
    {
        string ninja = Path.Combine(buildDir, "build.ninja");
        if (File.Exists(ninja))
        {
            foreach (var line in File.ReadLines(ninja))
            {
                if (!line.StartsWith("build ", StringComparison.Ordinal)
                    || !line.Contains(": CUSTOM_COMMAND", StringComparison.Ordinal))
                {
                    continue;
                }
                string outputs = line[6..line.IndexOf(": CUSTOM_COMMAND", StringComparison.Ordinal)];
                if (outputs.Split(' ').FirstOrDefault(IsCode) is { } o) return o;
            }
            return null;
        }
        var recurse = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 12 };
        foreach (var make in Directory.EnumerateFiles(buildDir, "build.make", recurse))
            foreach (var line in File.ReadLines(make))
            {
                int at = line.IndexOf("\"Generating ", StringComparison.Ordinal);
                if (at < 0) continue;
                string what = line[(at + "\"Generating ".Length)..].TrimEnd('"');
                if (what.Split(", ").FirstOrDefault(IsCode) is { } o) return o;
            }
        return null;
    }

    private static bool IsCode(string path) => s_codeExtensions.Contains(Path.GetExtension(path.Trim()));
}
