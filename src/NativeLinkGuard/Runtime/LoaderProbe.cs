using System.Runtime.InteropServices;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Finds out how ld.so searches. For files of this machine's own ABI the machine's ld.so is asked — never guessed:
/// <c>ld.so --list-diagnostics</c> gives the system dirs, <c>$LIB</c> and <c>$PLATFORM</c>, and one traced lookup
/// (<c>LD_DEBUG=libs</c>) gives the exact hwcaps subdirectories tried in every directory. Otherwise (another
/// architecture, a sysroot, no glibc) the built-in glibc defaults are used under the sysroot, and the report says so.
/// </summary>
public static class LoaderProbe
{
    private const string ProbeDir = "/nonexistent-nativelinkguard-probe";
    private static readonly object s_lock = new();
    private static (bool Probed, LoaderEnvironment? Host) s_host;

    // cacheDirectory: where probed settings are kept across runs (null: probe once per process).
    public static LoaderEnvironment For(ElfClass cls, ushort machine, string sysroot, string? ldLibraryPath,
        string workingDirectory, string? cacheDirectory = null)
    {
        sysroot = sysroot.TrimEnd('/');
        if (sysroot.Length == 0 && IsHostAbi(cls, machine) && Host(cacheDirectory) is { } host)
            return host with { LdLibraryPath = ldLibraryPath, WorkingDirectory = workingDirectory };
        return BuiltIn(cls, machine, sysroot, ldLibraryPath, workingDirectory);
    }

    private static LoaderEnvironment? Host(string? cacheDirectory)
    {
        lock (s_lock)
        {
            if (s_host.Probed) return s_host.Host;
            LoaderEnvironment? host = null;
            var cache = HostRtld() is { } rtld ? LoaderProbeCache.For(rtld, cacheDirectory) : null;
            host = cache?.Load(Template(HostRtld()!, []));
            if (host is null)
            {
                host = ProbeHost();
                if (host is not null) cache?.Save(host);
            }
            s_host = (true, host);
            return host;
        }
    }

    private static LoaderEnvironment Template(string rtld, IReadOnlyList<string> notes) => new()
    {
        SystemDirectories = [],
        Subdirectories = [""],
        DstLib = "",
        Platform = "",
        CachePath = "/etc/ld.so.cache",
        RtldPath = rtld,
        WorkingDirectory = "/",
        Notes = notes,
        Class = ElfClass.Elf64,
        Machine = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? ElfMachines.AArch64 : ElfMachines.X86_64,
    };

    /// <summary>The ABI this process runs as: only its ld.so can be asked.</summary>
    public static bool IsHostAbi(ElfClass cls, ushort machine) =>
        OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => machine == ElfMachines.X86_64 && cls == ElfClass.Elf64,
            Architecture.Arm64 => machine == ElfMachines.AArch64 && cls == ElfClass.Elf64,
            _ => false,
        };

    private static string? HostRtld() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "/lib64/ld-linux-x86-64.so.2",
        Architecture.Arm64 => "/lib/ld-linux-aarch64.so.1",
        _ => null,
    };

    private static LoaderEnvironment? ProbeHost()
    {
        if (HostRtld() is not { } rtld || !File.Exists(rtld)) return null;
        var env = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" };
        var diag = ProcessRunner.Run(rtld, ["--list-diagnostics"], env, "/", 10_000);
        if (diag.ExitCode != 0) return null;
        var systemDirs = new List<string>();
        string? dstLib = null, platform = null, rtldPath = null;
        foreach (var raw in diag.StandardOutput.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("path.system_dirs[",
                StringComparison.Ordinal)) { if (Quoted(line) is { } d) systemDirs.Add(d.TrimEnd('/')); }
            else if (line.StartsWith("dl_dst_lib=", StringComparison.Ordinal)) dstLib = Quoted(line);
            else if (line.StartsWith("dl_platform=", StringComparison.Ordinal)) platform = Quoted(line);
            else if (line.StartsWith("path.rtld=", StringComparison.Ordinal)) rtldPath = Quoted(line);
        }
        if (systemDirs.Count == 0 || dstLib is null) return null;
        var notes = new List<string> { $"ld.so settings probed from {rtld} (--list-diagnostics)" };
        var subdirs = ProbeSubdirectories(rtld, env) ?? [""];
        if (subdirs.Count == 1)
            notes.Add("hwcaps subdirectories could not be probed: only the directories themselves are searched");
        return Template(rtld, notes) with
        {
            SystemDirectories = systemDirs,
            Subdirectories = subdirs,
            DstLib = dstLib,
            Platform = platform ?? "",
            RtldPath = rtldPath ?? rtld,
        };
    }

    /// <summary>One traced lookup through a LD_LIBRARY_PATH that does not exist: ld.so prints every path it would
    /// try.</summary>
    private static List<string>? ProbeSubdirectories(string rtld, Dictionary<string, string?> env)
    {
        if (Environment.ProcessPath is not { } self) return null;
        var traced = new Dictionary<string, string?>(env) { ["LD_DEBUG"] = "libs", ["LD_LIBRARY_PATH"] = ProbeDir };
        var r = ProcessRunner.Run(rtld, ["--list", self], traced, "/", 10_000);
        foreach (var raw in (r.StandardError + "\n" + r.StandardOutput).Split('\n'))
        {
            int at = raw.IndexOf("search path=", StringComparison.Ordinal);
            if (at < 0 || !raw.Contains("(LD_LIBRARY_PATH)", StringComparison.Ordinal)) continue;
            string list = raw[(at + "search path=".Length)..];
            list = list[..list.IndexOf("(LD_LIBRARY_PATH)", StringComparison.Ordinal)].Trim();
            var result = new List<string>();
            foreach (var p in list.Split(':'))
            {
                if (!p.StartsWith(ProbeDir, StringComparison.Ordinal)) return null;
                string sub = p[ProbeDir.Length..].Trim('/');
                if (!result.Contains(sub)) result.Add(sub);
            }
            result.Remove("");
            result.Add("");
            return result;
        }
        return null;
    }

    private static string? Quoted(string line)
    {
        int a = line.IndexOf('"'), b = line.LastIndexOf('"');
        return a >= 0 && b > a ? line[(a + 1)..b] : null;
    }

    /// <summary>glibc's compiled-in defaults (Debian multiarch where the sysroot has it, else lib64/lib).</summary>
    public static LoaderEnvironment BuiltIn(ElfClass cls, ushort machine, string sysroot, string? ldLibraryPath,
        string workingDirectory)
    {
        string? triplet = machine switch
        {
            ElfMachines.X86_64 => "x86_64-linux-gnu",
            ElfMachines.AArch64 => "aarch64-linux-gnu",
            ElfMachines.X86 => "i386-linux-gnu",
            ElfMachines.Arm => "arm-linux-gnueabihf",
            ElfMachines.RiscV => "riscv64-linux-gnu",
            ElfMachines.PowerPC64 => "powerpc64le-linux-gnu",
            ElfMachines.S390 => "s390x-linux-gnu",
            _ => null,
        };
        bool multiarch = triplet is not null
            && (sysroot.Length == 0 || Directory.Exists($"{sysroot}/lib/{triplet}")
            || Directory.Exists($"{sysroot}/usr/lib/{triplet}"));
        string lib = cls == ElfClass.Elf64 && !multiarch ? "lib64" : "lib";
        IReadOnlyList<string> dirs = multiarch ? [$"/lib/{triplet}", $"/usr/lib/{triplet}", "/lib", "/usr/lib"]
            : [$"/{lib}", $"/usr/{lib}"];
        string cache = sysroot + "/etc/ld.so.cache";
        var conf = File.Exists(cache) ? [] : LdSoConfReader.Read(sysroot + "/etc/ld.so.conf", sysroot).Directories;
        return new LoaderEnvironment
        {
            SystemDirectories = dirs.Select(d => sysroot + d).ToList(),
            Subdirectories = [""],
            DstLib = multiarch ? $"lib/{triplet}" : lib,
            Platform = machine switch
            {
                ElfMachines.X86_64 => "x86_64",
                ElfMachines.AArch64 => "aarch64",
                ElfMachines.X86 => "i686",
                _ => ""
            },
            CachePath = File.Exists(cache) ? cache : null,
            ConfDirectories = conf,
            // The ABI's program interpreter, as the sysroot has it: ld.so maps itself before any dependency.
            RtldPath = machine switch
            {
                ElfMachines.X86_64 when cls == ElfClass.Elf64 => sysroot + "/lib64/ld-linux-x86-64.so.2",
                ElfMachines.AArch64 => sysroot + "/lib/ld-linux-aarch64.so.1",
                _ => null,
            } is { } interp && File.Exists(interp) ? interp : null,
            Sysroot = sysroot,
            LdLibraryPath = ldLibraryPath,
            WorkingDirectory = workingDirectory,
            Class = cls,
            Machine = machine,
            Notes = [$"ld.so not probed (another ABI or a sysroot): glibc's default search dirs " +
                $"{string.Join(' ', dirs)}{(sysroot.Length > 0 ? $" under {sysroot}" : "")} are assumed; hwcaps " +
                $"subdirectories are not searched"],
        };
    }
}
