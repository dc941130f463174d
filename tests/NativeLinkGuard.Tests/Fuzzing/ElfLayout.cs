using System.Buffers.Binary;

namespace NativeLinkGuard.Tests.Fuzzing;

/// <summary>
/// Where the structure of an ELF seed lives, found with a deliberately naive walk (the fuzzer must not depend on the
/// reader under test): the header, the program and section header tables, PT_DYNAMIC, and the dynamic string,
/// symbol, hash and version tables. Mutations concentrate there instead of in code bytes.
/// </summary>
internal static class ElfLayout
{
    private const uint PT_DYNAMIC = 2;

    private static readonly HashSet<uint> s_interestingSections =
    [
        3, 5, 6, 11, // SHT_STRTAB, SHT_HASH, SHT_DYNAMIC, SHT_DYNSYM
        0x6ffffff6, 0x6ffffffd, 0x6ffffffe, 0x6fffffff, // GNU_HASH, VERDEF, VERNEED, VERSYM
    ];

    public static IReadOnlyList<(int Start, int Length)> HotRegions(byte[] b)
    {
        var regions = new List<(int, int)>();
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E') return regions;
        bool is64 = b[4] == 2, le = b[5] != 2;
        regions.Add((0, is64 ? 64 : 52));
        ulong U(long at, int size)
        {
            if (at < 0 || at + size > b.Length) return 0;
            var s = b.AsSpan((int)at, size);
            return size switch
            {
                2 => le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s),
                4 => le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s),
                _ => le ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s),
            };
        }
        int w = is64 ? 8 : 4;
        ulong phoff = U(is64 ? 32 : 28, w), shoff = U(is64 ? 40 : 32, w);
        int phent = (int)U(is64 ? 54 : 42, 2), phnum = (int)U(is64 ? 56 : 44, 2);
        int shent = (int)U(is64 ? 58 : 46, 2), shnum = (int)U(is64 ? 60 : 48, 2);
        Add(regions, b, phoff, (ulong)(phent * phnum));
        Add(regions, b, shoff, (ulong)(shent * shnum));
        for (int i = 0; i < phnum && phent > 0; i++)
        {
            long at = (long)phoff + ((long)i * phent);
            if (U(at, 4) != PT_DYNAMIC) continue;
            Add(regions, b, U(at + (is64 ? 8 : 4), w), U(at + (is64 ? 32 : 16), w));
        }
        for (int i = 0; i < shnum && shent > 0; i++)
        {
            long at = (long)shoff + ((long)i * shent);
            if (!s_interestingSections.Contains((uint)U(at + 4, 4))) continue;
            Add(regions, b, U(at + (is64 ? 24 : 16), w), Math.Min(U(at + (is64 ? 32 : 20), w), 4096));
        }
        return regions;
    }

    private static void Add(List<(int, int)> regions, byte[] b, ulong offset, ulong size)
    {
        if (size == 0 || offset >= (ulong)b.Length) return;
        regions.Add(((int)offset, (int)Math.Min(size, (ulong)b.Length - offset)));
    }
}
