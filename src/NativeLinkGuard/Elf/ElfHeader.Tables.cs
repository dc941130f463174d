using static NativeLinkGuard.Elf.ElfConstants;

namespace NativeLinkGuard.Elf;

/// <summary>The fields of a program header the readers use (Elf32_Phdr and Elf64_Phdr order them
/// differently).</summary>
internal readonly record struct ProgramHeader(uint Type, ulong Offset, ulong VirtualAddress, ulong FileSize)
{
    /// <summary>The file offset of <paramref name="address"/> through the PT_LOAD segment that holds it, as the
    /// loader maps it; null when none does.</summary>
    public static ulong? FileOffsetOf(IEnumerable<ProgramHeader> loads, ulong address)
    {
        foreach (var l in loads)
            if (address >= l.VirtualAddress && address - l.VirtualAddress < l.FileSize)
                return l.Offset + (address - l.VirtualAddress);
        return null;
    }
}

/// <summary>The fields of a section header the readers use.</summary>
internal readonly record struct SectionHeader(uint Type, ulong Offset, ulong Size, uint Link);

/// <summary>The entries the header's class and byte order lay out: program and section headers, dynamic tags.</summary>
internal readonly partial record struct ElfHeader
{
    /// <summary>Entry <paramref name="i"/> of a table from <see cref="ReadProgramHeaders"/>.</summary>
    public ProgramHeader ProgramHeaderAt(byte[] table, int i)
    {
        var p = table.AsSpan(i * PhEntSize, PhEntSize);
        var e = Endian;
        return Is64
            ? new ProgramHeader(e.U32(p), e.U64(p[8..]), e.U64(p[16..]), e.U64(p[32..]))
            : new ProgramHeader(e.U32(p), e.U32(p[4..]), e.U32(p[8..]), e.U32(p[16..]));
    }

    /// <summary>Entry <paramref name="i"/> of a table from <see cref="ReadSectionHeaders"/>.</summary>
    public SectionHeader SectionHeaderAt(byte[] table, int i)
    {
        var s = table.AsSpan(i * ShEntSize, ShEntSize);
        var e = Endian;
        return Is64
            ? new SectionHeader(e.U32(s[4..]), e.U64(s[24..]), e.U64(s[32..]), e.U32(s[40..]))
            : new SectionHeader(e.U32(s[4..]), e.U32(s[16..]), e.U32(s[20..]), e.U32(s[24..]));
    }

    /// <summary>The dynamic section's (tag, value) entries in file order, up to DT_NULL; at most
    /// <see cref="ElfConstants.MaxDynamicEntries"/> are read.</summary>
    public List<(long Tag, ulong Value)> ReadDynamic(BoundedSource src, ulong offset, ulong fileSize)
    {
        int entSize = Is64 ? 16 : 8;
        ulong count = Math.Min(fileSize / (ulong)entSize, MaxDynamicEntries);
        var buf = src.ReadArray(BoundedSource.Offset(offset), (long)count * entSize);
        var e = Endian;
        var result = new List<(long, ulong)>((int)count);
        for (int i = 0; i < (int)count; i++)
        {
            var d = buf.AsSpan(i * entSize, entSize);
            long tag = Is64 ? e.I64(d) : e.I32(d);
            if (tag == DT_NULL) break;
            result.Add((tag, Is64 ? e.U64(d[8..]) : e.U32(d[4..])));
        }
        return result;
    }
}
