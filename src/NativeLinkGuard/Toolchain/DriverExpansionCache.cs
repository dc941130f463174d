using System.Security.Cryptography;
using System.Text;

namespace NativeLinkGuard.Toolchain;

/// <summary>
/// Keeps what <c>driver -### args</c> printed across runs: that process is most of what a check costs once the linker
/// probe is cached. Keyed by the driver binary (real path, size, mtime), the arguments, the working directory and the
/// environment variables that change what gcc expands (PATH, LIBRARY_PATH, COMPILER_PATH, GCC_EXEC_PREFIX and the
/// conda variables its wrappers read). Only successful expansions are kept; a missing or unreadable entry is a miss.
/// </summary>
internal static class DriverExpansionCache
{
    private const string Magic = "nativelinkguard driver expansion v1\n";
    private static readonly string[] s_variables = ["PATH", "LIBRARY_PATH", "COMPILER_PATH", "GCC_EXEC_PREFIX", "LD_RUN_PATH"];

    public static string? Key(string driver, IReadOnlyList<string> argv, string workingDirectory, IReadOnlyDictionary<string, string?> env)
    {
        try
        {
            string? root = env.TryGetValue("XDG_CACHE_HOME", out var x) && !string.IsNullOrEmpty(x) ? x
                : env.TryGetValue("HOME", out var h) && !string.IsNullOrEmpty(h) ? Path.Combine(h, ".cache") : null;
            if (root is null) return null;
            string real = NativeMethods.RealPath(driver) ?? driver;
            if (NativeMethods.Stat(real) is not { } st) return null;
            var sb = new StringBuilder().Append(real).Append('\0').Append(st.Size).Append('\0').Append(st.MtimeSeconds).Append('\0').Append(workingDirectory);
            foreach (var a in argv) sb.Append('\0').Append(a);
            foreach (var (k, v) in env.Where(kv => s_variables.Contains(kv.Key) || kv.Key.StartsWith("CONDA", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sb.Append('\0').Append(k).Append('=').Append(v);
            // gcc passes only the directories that exist: a LIBRARY_PATH or sysroot directory created later must miss.
            foreach (var dir in ImplicitDirectories(argv, workingDirectory, env))
                sb.Append('\0').Append(Directory.Exists(dir) ? '+' : '-');
            string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..32];
            return Path.Combine(root, "nativelinkguard", "driver", hash);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static IEnumerable<string> ImplicitDirectories(IReadOnlyList<string> argv, string cwd, IReadOnlyDictionary<string, string?> env)
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
            foreach (var sub in new[] { "lib", "usr/lib", "lib64", "usr/lib64", "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu" })
                yield return Path.Combine(cwd, sysroot, sub);
        }
    }

    public static string? Load(string? file)
    {
        try
        {
            if (file is null || !File.Exists(file)) return null;
            string text = File.ReadAllText(file);
            return text.StartsWith(Magic, StringComparison.Ordinal) ? text[Magic.Length..] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Save(string? file, string output)
    {
        if (file is null) return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            string tmp = file + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(tmp, Magic + output);
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only costs the next run a driver process.
        }
    }
}
