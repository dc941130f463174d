using NativeLinkGuard.Elf;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// ld.so.cache as ld.so consults it: by DT_NEEDED name, only entries of the process's ABI (ld.so's
/// <c>_dl_cache_check_flags</c>), a glibc-hwcaps entry for a supported level before the plain one.
/// </summary>
public sealed class LdSoCacheIndex
{
    private const ulong HwcapExtension = 1UL << 62;
    private readonly Dictionary<string, List<LdSoCacheEntry>> _byName = new(StringComparer.Ordinal);

    public LdSoCacheIndex(string path, string sysroot)
    {
        Path = path;
        Sysroot = sysroot;
        var entries = LdSoCacheReader.Read(path, out var error);
        foreach (var e in entries)
        {
            if (!_byName.TryGetValue(e.Soname, out var list)) _byName[e.Soname] = list = [];
            list.Add(e);
        }
        Error = error;
    }

    public string Path { get; }
    public string Sysroot { get; }
    public string? Error { get; }

    /// <summary>The host path ld.so would open for NAME, or null when the cache has no usable entry.</summary>
    public string? Lookup(string name, ElfClass cls, ushort machine, IReadOnlyList<string> subdirectories)
    {
        if (!_byName.TryGetValue(name, out var entries)) return null;
        int? required = (cls, machine) switch
        {
            (ElfClass.Elf64, ElfMachines.X86_64) => 0x0303, // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
            (ElfClass.Elf64, ElfMachines.AArch64) => 0x0a03, // FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64
            (ElfClass.Elf32, ElfMachines.X86) => 0x0003,
            _ => null,
        };
        LdSoCacheEntry? best = null;
        int bestRank = int.MaxValue;
        foreach (var e in entries)
        {
            if (required is { } r ? e.Flags != r : (e.Flags & 0xff) != 0x03) continue;
            int rank = subdirectories.Count; // a plain entry ranks after every hwcaps level
            if ((e.Hwcap & HwcapExtension) != 0)
            {
                rank = Rank(e.Path, subdirectories);
                if (rank < 0) continue; // a level this machine does not support
            }
            if (rank < bestRank) { best = e; bestRank = rank; }
        }
        return best is null ? null : Sysroot + best.Path;
    }

    private static int Rank(string path, IReadOnlyList<string> subdirectories)
    {
        for (int i = 0; i < subdirectories.Count; i++)
            if (subdirectories[i].StartsWith("glibc-hwcaps/", StringComparison.Ordinal)
                && path.Contains("/" + subdirectories[i] + "/", StringComparison.Ordinal))
                return i;
        return -1;
    }
}
