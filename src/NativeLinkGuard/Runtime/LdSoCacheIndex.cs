using System.Text;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// ld.so.cache as ld.so consults it: by DT_NEEDED name, only entries of the process's ABI (ld.so's
/// <c>_dl_cache_check_flags</c>), a glibc-hwcaps entry for a supported level before the plain one. Like ld.so it
/// keeps the file's bytes and decodes only the entries it looks up: a run asks for a few dozen names of a cache of
/// hundreds or thousands, and every record made of it lived to the end of the run.
/// </summary>
public sealed class LdSoCacheIndex
{
    private const ulong HwcapExtension = 1UL << 62;
    private readonly byte[] _bytes;
    // Open addressing by the name's bytes: a slot holds 1 + the first entry of that name; _sameName chains the
    // other entries of the name in file order (ld.so's ranking keeps the first of equal rank).
    private readonly int[] _slots;
    private readonly int[] _sameName;
    private readonly string?[] _paths;

    public LdSoCacheIndex(string path, string sysroot)
    {
        Path = path;
        Sysroot = sysroot;
        _bytes = LdSoCacheReader.ReadRaw(path, out int count, out var error) ?? [];
        Error = error;
        _slots = new int[Math.Max(4, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count * 2))];
        _sameName = new int[count];
        _paths = new string?[count];
        var lastOfSlot = new int[_slots.Length];
        for (int i = 0; i < count; i++)
        {
            var key = LdSoCacheReader.CStringAt(_bytes, LdSoCacheReader.KeyOffset(_bytes, i));
            int slot = Find(key);
            if (_slots[slot] == 0) _slots[slot] = i + 1;
            else _sameName[lastOfSlot[slot]] = i + 1;
            lastOfSlot[slot] = i;
        }
    }

    public string Path { get; }
    public string Sysroot { get; }
    public string? Error { get; }

    // The slot of NAME: the one holding its entries, or the empty one where they would go.
    private int Find(ReadOnlySpan<byte> name)
    {
        int mask = _slots.Length - 1;
        for (int slot = (int)Hash(name) & mask; ; slot = (slot + 1) & mask)
        {
            int first = _slots[slot];
            if (first == 0 || LdSoCacheReader.CStringAt(_bytes, LdSoCacheReader.KeyOffset(_bytes, first - 1))
                .SequenceEqual(name)) return slot;
        }
    }

    private static uint Hash(ReadOnlySpan<byte> s)
    {
        uint h = 2166136261; // FNV-1a
        foreach (byte c in s) h = (h ^ c) * 16777619;
        return h;
    }

    /// <summary>The host path ld.so would open for NAME, or null when the cache has no usable entry.</summary>
    public string? Lookup(string name, ElfClass cls, ushort machine, IReadOnlyList<string> subdirectories)
    {
        if (_sameName.Length == 0 || name.Length > 1024) return null;
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
        int first = _slots[Find(utf8[..Encoding.UTF8.GetBytes(name, utf8)])];
        int? required = (cls, machine) switch
        {
            (ElfClass.Elf64, ElfMachines.X86_64) => 0x0303, // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
            (ElfClass.Elf64, ElfMachines.AArch64) => 0x0a03, // FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64
            (ElfClass.Elf32, ElfMachines.X86) => 0x0003,
            _ => null,
        };
        int best = -1, bestRank = int.MaxValue;
        for (int i = first - 1; i >= 0; i = _sameName[i] - 1)
        {
            int flags = LdSoCacheReader.Flags(_bytes, i);
            if (required is { } r ? flags != r : (flags & 0xff) != 0x03) continue;
            int rank = subdirectories.Count; // a plain entry ranks after every hwcaps level
            if ((LdSoCacheReader.Hwcap(_bytes, i) & HwcapExtension) != 0)
            {
                rank = Rank(EntryPath(i), subdirectories);
                if (rank < 0) continue; // a level this machine does not support
            }
            if (rank < bestRank) { best = i; bestRank = rank; }
        }
        return best < 0 ? null : Sysroot + EntryPath(best);
    }

    private string EntryPath(int i) => _paths[i] ??=
        Encoding.UTF8.GetString(LdSoCacheReader.CStringAt(_bytes, LdSoCacheReader.PathOffset(_bytes, i)));

    private static int Rank(string path, IReadOnlyList<string> subdirectories)
    {
        for (int i = 0; i < subdirectories.Count; i++)
            if (subdirectories[i].StartsWith("glibc-hwcaps/", StringComparison.Ordinal)
                && path.Contains("/" + subdirectories[i] + "/", StringComparison.Ordinal))
                return i;
        return -1;
    }
}
