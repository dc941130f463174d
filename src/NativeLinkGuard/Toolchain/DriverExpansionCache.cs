using System.Text;

namespace NativeLinkGuard.Toolchain;

/// <summary>
/// Keeps what <c>driver -### args</c> printed across runs: that process is most of what a check costs once the linker
/// probe is cached. Keyed by the driver binary (path, device, inode, size, mtime in ns), the arguments, the working
/// directory and the environment variables that change what gcc expands (PATH, LIBRARY_PATH, COMPILER_PATH,
/// GCC_EXEC_PREFIX and the conda variables its wrappers read). Only successful expansions are kept; a missing or
/// unreadable entry is a miss.
/// </summary>
internal static class DriverExpansionCache
{
    private const string Magic = "nativelinkguard driver expansion v2";
    private static readonly string[] s_variables =
        ["PATH", "LIBRARY_PATH", "COMPILER_PATH", "GCC_EXEC_PREFIX", "LD_RUN_PATH"];

    /// <summary>The cache entry of this expansion (its file and full key), or null when there is no cache.</summary>
    public static (string File, string Key)? Key(string driver, IReadOnlyList<string> argv, string workingDirectory,
        IReadOnlyDictionary<string, string?> env)
    {
        if (ProbeCacheFile.Directory(env) is not { } root || NativeMethods.IdentityKey(driver) is not { } id)
            return null;
        var sb = new StringBuilder().Append(driver).Append('\0').Append(id).Append('\0').Append(workingDirectory);
        foreach (var a in argv) sb.Append('\0').Append(a);
        var variables = env
            .Where(kv => s_variables.Contains(kv.Key) || kv.Key.StartsWith("CONDA", StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal);
        foreach (var (k, v) in variables)
            sb.Append('\0').Append(k).Append('=').Append(v);
        // gcc passes only the directories that exist: a LIBRARY_PATH or sysroot directory created later must miss.
        foreach (var dir in ImplicitDirectories(argv, workingDirectory, env))
            sb.Append('\0').Append(NativeMethods.Stat(dir) is { Type: FileStatType.Directory } ? '+' : '-');
        string key = sb.ToString();
        return (Path.Combine(root, "driver", ProbeCacheFile.Name("", key)), key);
    }

    private static IEnumerable<string> ImplicitDirectories(IReadOnlyList<string> argv, string cwd,
        IReadOnlyDictionary<string, string?> env)
    {
        if (env.TryGetValue("LIBRARY_PATH", out var lp) && !string.IsNullOrEmpty(lp))
            foreach (var d in lp.Split(':').Where(d => d.Length > 0))
            {
                string abs = Path.Combine(cwd, d);
                yield return abs;
                yield return Path.Combine(abs, "..", "lib");
            }
        foreach (var a in argv)
        {
            string? sysroot = a.StartsWith("--sysroot=", StringComparison.Ordinal) ? a[10..] : null;
            if (sysroot is null) continue;
            foreach (var sub in new[] { "lib", "usr/lib", "lib64", "usr/lib64", "lib/x86_64-linux-gnu",
                "usr/lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu" })
                yield return Path.Combine(cwd, sysroot, sub);
        }
    }

    public static string? Load((string File, string Key)? entry) =>
        entry is var (file, key) ? ProbeCacheFile.Read(file, Magic, key) : null;

    public static void Save((string File, string Key)? entry, string output)
    {
        if (entry is var (file, key)) ProbeCacheFile.Write(file, Magic, key, output);
    }
}
