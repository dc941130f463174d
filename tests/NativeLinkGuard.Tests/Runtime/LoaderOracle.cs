using System.Text.RegularExpressions;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Runtime;

/// <summary>The real loader's answer for one file: NAME → path, or null for "not found"; its exit code and fatal error line.</summary>
public sealed record LoaderView(Dictionary<string, string?> Map, int ExitCode, string Error)
{
    /// <summary>Every DT_NEEDED mapped and no fatal error.</summary>
    public bool Loadable => ExitCode == 0 && Error.Length == 0 && Map.Values.All(v => v is not null);
}

/// <summary>
/// <c>LD_TRACE_LOADED_OBJECTS=1 ld.so FILE</c> (what ldd runs), and the runtime check's answer in the same shape.
/// </summary>
public static partial class LoaderOracle
{
    public const string Rtld = "/lib64/ld-linux-x86-64.so.2";

    /// <summary>ldLibraryPath null: unset. exec: start a program itself rather than through ld.so.</summary>
    public static LoaderView Trace(string file, string? ldLibraryPath, IReadOnlyDictionary<string, string?> environment, string cwd, bool exec = false)
    {
        var env = new Dictionary<string, string?>(environment) { ["LD_TRACE_LOADED_OBJECTS"] = "1", ["LD_LIBRARY_PATH"] = ldLibraryPath };
        var r = exec ? ProcessRunner.Run(file, [], env, cwd) : ProcessRunner.Run(Rtld, [file], env, cwd);
        // The kernel starts a statically linked program without ld.so, and glibc 2.36's ld.so, handed one, dies of
        // SIGSEGV: where it died of a signal on one, the program is started itself, which ignores
        // LD_TRACE_LOADED_OBJECTS and runs main. Started is loaded, whatever main returns; a program the kernel
        // refuses throws here.
        if (!exec && r.ExitCode > 128 && IsStaticProgram(file, cwd))
        {
            ProcessRunner.Run(file, [], env, cwd);
            return new LoaderView(new Dictionary<string, string?>(StringComparer.Ordinal), 0, "");
        }
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (Match m in TraceLine().Matches(r.StandardOutput))
        {
            string name = m.Groups[1].Value;
            // The vDSO and ld.so itself; any other absolute name is a DT_NEEDED that is a path.
            if (name == "linux-vdso.so.1" || (name.StartsWith('/') && Path.GetFileName(name).StartsWith("ld-linux", StringComparison.Ordinal))) continue;
            // "NAME (0x…)" without "=>": ld.so found it at a path equal to the name (a relative search dir).
            map.TryAdd(name, !m.Groups[2].Success ? name : m.Groups[2].Value == "not found" ? null : m.Groups[2].Value);
        }
        return new LoaderView(map, r.ExitCode, r.StandardError.Trim());
    }

    /// <summary>An ET_EXEC file without PT_INTERP, as binutils' readelf reads it.</summary>
    private static bool IsStaticProgram(string file, string cwd)
    {
        var r = ProcessRunner.Run("readelf", ["-hlW", file], null, cwd);
        return r.ExitCode == 0 && Regex.IsMatch(r.StandardOutput, @"^\s*Type:\s+EXEC\b", RegexOptions.Multiline)
            && !r.StandardOutput.Contains("INTERP", StringComparison.Ordinal);
    }

    /// <summary>Our answer in ld.so's shape: the first lookup of each name (ld.so maps a missing one as a placeholder);
    /// ld.so itself only where the real trace lists it. A name that leads to a file already loaded under another
    /// name is that object again (ld.so matches by device and inode), which the trace does not print twice.</summary>
    public static Dictionary<string, string?> Ours(RuntimeFileReport report, LoaderView? real = null, string? cwd = null)
    {
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in report.Libraries)
        {
            if (l.Rule is "the dynamic loader itself" || map.ContainsKey(l.Name)) continue;
            if (l.Path is { } p && !loaded.Add(Canonical(Path.GetFullPath(p, cwd ?? Environment.CurrentDirectory)))) continue;
            map[l.Name] = l.Path;
        }
        if (real is not null)
            foreach (var k in map.Keys.Where(k => !real.Map.ContainsKey(k) && k.StartsWith("ld-linux", StringComparison.Ordinal)).ToList()) map.Remove(k);
        return map;
    }

    private static string Canonical(string path)
    {
        try { return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path; }
        catch (IOException) { return path; }
    }

    [GeneratedRegex(@"^\t(\S+) (?:=> (not found|\S+)|\(0x)", RegexOptions.Multiline)]
    private static partial Regex TraceLine();
}
