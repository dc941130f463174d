using System.Text.RegularExpressions;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Toolchain;

/// <summary>
/// Asks the linker about itself: <c>ld --verbose</c> (version, OUTPUT_FORMAT, SEARCH_DIRs), <c>ld --print-sysroot</c>,
/// and a throw-away link that tells whether it is a native linker. One probe per linker binary and emulation per run.
/// </summary>
public sealed partial class LinkerProbe
{
    private readonly Dictionary<string, LinkerInfo> _cache = new(StringComparer.Ordinal);

    public LinkerInfo Probe(string linkerPath, string? emulation, IReadOnlyDictionary<string, string?> environment)
    {
        string key = linkerPath + "\0" + emulation;
        if (_cache.TryGetValue(key, out var cached)) return cached;
        var disk = LinkerProbeCache.For(linkerPath, emulation, environment);
        var info = disk?.Load() ?? ProbeUncached(linkerPath, emulation, environment);
        if (disk is not null && !info.ProbeNotes.Contains(LinkerProbeCache.FromCacheNote)) disk.Save(info);
        _cache[key] = info;
        return info;
    }

    private static LinkerInfo ProbeUncached(string ld, string? emulation, IReadOnlyDictionary<string, string?> env)
    {
        var notes = new List<string>();
        var emulationArgs = emulation is null ? Array.Empty<string>() : ["-m", emulation];
        var verbose = ProcessRunner.Run(ld, [.. emulationArgs, "--verbose"], env);
        if (verbose.ExitCode != 0 && ProbeLld(ld, emulation, env) is { } lld)
            return lld;
        if (verbose.ExitCode != 0)
            throw new ToolchainException($"'{ld} --verbose' failed: {FirstLine(verbose.StandardError)}");
        string text = verbose.StandardOutput;
        string version = FirstLine(text);
        var flavor = version.Contains("GNU ld", StringComparison.Ordinal) ? LinkerFlavor.Bfd
            : version.Contains("GNU gold", StringComparison.Ordinal) ? LinkerFlavor.Gold
            : version.Contains("LLD", StringComparison.Ordinal) ? LinkerFlavor.Lld : LinkerFlavor.Unknown;

        var dirs = SearchDirRegex().Matches(text).Select(m => m.Groups[1].Value).ToList();
        notes.Add($"SEARCH_DIRs from '{ld} --verbose{(emulation is null ? "" : " -m " + emulation)}'");

        var fmt = OutputFormatRegex().Match(text);
        if (!fmt.Success || !BfdTargets.TryParse(fmt.Groups[1].Value, out var cls, out var data, out var machine))
            throw new ToolchainException($"could not read the target from '{ld} --verbose' "
                + $"(OUTPUT_FORMAT {(fmt.Success ? fmt.Groups[1].Value : "missing")})");

        var sysrootRun = ProcessRunner.Run(ld, ["--print-sysroot"], env);
        string sysroot = sysrootRun.ExitCode == 0 ? sysrootRun.StandardOutput.Trim() : "";

        bool native = ProbeNative(ld, emulationArgs, env, notes);
        string prefix = GuessPrefix(ld);
        notes.Add(
            $"prefix {prefix} (from the linker's location; ld reads S{prefix}/etc/ld.so.conf before S/etc/ld.so.conf)");
        return new LinkerInfo(ld, version, flavor, dirs, sysroot, cls,
            data, machine, native, prefix, notes, fmt.Groups[1].Value);
    }

    /// <summary>
    /// lld has no default script (<c>--verbose</c> without inputs fails): it has no SEARCH_DIRs and never searches
    /// DT_NEEDED (ld-rules §9), so its version and the emulation are all the resolver needs.
    /// </summary>
    private static LinkerInfo? ProbeLld(string ld, string? emulation, IReadOnlyDictionary<string, string?> env)
    {
        var version = ProcessRunner.Run(ld, ["--version"], env);
        string text = FirstLine(version.StandardOutput);
        if (version.ExitCode != 0 || !text.Contains("LLD", StringComparison.Ordinal)) return null;
        string format = emulation switch
        {
            null or "elf_x86_64" => "elf64-x86-64",
            "elf_i386" => "elf32-i386",
            "aarch64linux" or "aarch64elf" => "elf64-littleaarch64",
            "aarch64linuxb" => "elf64-bigaarch64",
            "armelf_linux_eabi" => "elf32-littlearm",
            "elf64lriscv" => "elf64-littleriscv",
            _ => "",
        };
        if (!BfdTargets.TryParse(format, out var cls, out var data, out var machine))
            throw new ToolchainException($"lld emulation '{emulation}' is not one this model knows");
        return new LinkerInfo(ld, text, LinkerFlavor.Lld, [], "", cls, data, machine, IsNative: true, "/usr",
            [$"lld ('{ld} --version'): no SEARCH_DIRs, no DT_NEEDED search; "
                + $"target {format} from {(emulation is null ? "the default" : "-m " + emulation)}"], format);
    }

    /// <summary>
    /// binutils decides at configure time whether ld is native (then it searches LD_LIBRARY_PATH and LD_RUN_PATH
    /// for DT_NEEDED). Observe it: link a library whose DT_NEEDED is only reachable through LD_LIBRARY_PATH.
    /// Only the linker itself is used (an object made with <c>-b binary</c>), so this works for cross linkers too.
    /// </summary>
    private static bool ProbeNative(string ld, string[] emulationArgs,
        IReadOnlyDictionary<string, string?> env, List<string> notes)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nlg-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "d"));
            File.WriteAllText(Path.Combine(dir, "blob"), "x");
            bool Step(IEnumerable<string> args, IReadOnlyDictionary<string, string?> e, out ProcessResult r)
            {
                r = ProcessRunner.Run(ld, [.. emulationArgs, .. args], e, dir);
                return r.ExitCode == 0;
            }
            var clean = new Dictionary<string, string?>(env) { ["LD_LIBRARY_PATH"] = null, ["LD_RUN_PATH"] = null };
            if (!Step(["-r", "-b", "binary", "-o", "x.o", "blob"], clean, out var r1)
                || !Step(["-shared", "-soname", "libnlgprobe.so.1", "-o", "d/libnlgprobe.so.1", "x.o"], clean, out r1)
                || !Step(["-shared", "-o", "libnlgtop.so", "x.o", "d/libnlgprobe.so.1"], clean, out r1))
            {
                notes.Add($"native-linker probe could not run ({FirstLine(r1.StandardError)}); "
                    + "assuming a cross linker (LD_LIBRARY_PATH not searched)");
                return false;
            }
            var withLlp = new Dictionary<string, string?>(clean) { ["LD_LIBRARY_PATH"] = Path.Combine(dir, "d") };
            Step(["-shared", "--no-allow-shlib-undefined", "-o", "out.so", "x.o", "libnlgtop.so"], withLlp, out var r2);
            bool native = !r2.StandardError.Contains("not found", StringComparison.Ordinal);
            notes.Add(native
                ? "native linker: a throw-away link found a DT_NEEDED through LD_LIBRARY_PATH"
                : "cross linker: a throw-away link did not search LD_LIBRARY_PATH for DT_NEEDED");
            return native;
        }
        catch (IOException e)
        {
            notes.Add($"native-linker probe failed ({e.Message}); assuming a cross linker");
            return false;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string GuessPrefix(string ld)
    {
        string real = ld;
        try { real = new FileInfo(ld).ResolveLinkTarget(true)?.FullName ?? ld; } catch (IOException) { }
        string? bin = Path.GetDirectoryName(Path.GetFullPath(real));
        if (bin is not null && Path.GetFileName(bin) == "bin")
        {
            string? parent = Path.GetDirectoryName(bin);
            // A cross ld lives in PREFIX/TRIPLET/bin as well as PREFIX/bin; both are configured with PREFIX.
            if (parent is not null && Path.GetFileName(parent).Count(c => c == '-') >= 2
                && Path.GetDirectoryName(parent) is { } p2)
                return p2;
            return parent ?? "/usr";
        }
        return "/usr";
    }

    internal static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n');
        return (nl < 0 ? s : s[..nl]).Trim();
    }

    [GeneratedRegex("SEARCH_DIR\\(\"([^\"]*)\"\\)")]
    private static partial Regex SearchDirRegex();

    [GeneratedRegex("OUTPUT_FORMAT\\(\"([^\"]+)\"")]
    private static partial Regex OutputFormatRegex();
}

public sealed class ToolchainException(string message) : Exception(message);
