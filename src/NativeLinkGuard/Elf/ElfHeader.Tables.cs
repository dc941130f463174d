using static NativeLinkGuard.Elf.ElfConstants;

namespace NativeLinkGuard.Elf;

/// <summary>The fields of a program header the readers use (Elf32_Phdr and Elf64_Phdr order them
/// differently).</summary>
internal readonly record struct ProgramHeader(uint Type, ulong Offset, ulong VirtualAddress, ulong FileSize)
{
    /// <summary>The file offset of <paramref name="address"/> through the PT_LOAD segment that holds it, as the
    /// loader maps it; null when none does.</summary>
    public static ulong? FileOffsetOf(ReadOnlySpan<ProgramHeader> loads, ulong address)
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
    public ProgramHeader ProgramHeaderAt(ReadOnlySpan<byte> table, int i)
    {
        var p = table.Slice(i * PhEntSize, PhEntSize);
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
        var entries = Dynamic(src.ReadArray(BoundedSource.Offset(offset), DynamicBytes(fileSize)));
        var result = new List<(long, ulong)>(entries.Count);
        for (int i = 0; i < entries.Count; i++) result.Add(entries[i]);
        return result;
    }

    /// <summary>How many bytes of a dynamic segment of FILESIZE bytes are read: whole entries, at most
    /// <see cref="ElfConstants.MaxDynamicEntries"/>.</summary>
    public int DynamicBytes(ulong fileSize)
    {
        int entSize = Is64 ? 16 : 8;
        return (int)Math.Min(fileSize / (ulong)entSize, MaxDynamicEntries) * entSize;
    }

    /// <summary>The entries of a dynamic table read whole (<see cref="DynamicBytes"/>), decoded where asked.</summary>
    public DynamicEntries Dynamic(ReadOnlySpan<byte> raw) => new(raw, Is64, Endian);
}

/// <summary>A dynamic table's (tag, value) entries up to DT_NULL, decoded in place from its bytes: the one decoder of
/// Elf32_Dyn and Elf64_Dyn.</summary>
internal readonly ref struct DynamicEntries
{
    private readonly ReadOnlySpan<byte> _raw;
    private readonly int _size;
    private readonly bool _is64;
    private readonly EndianReader _e;

    public DynamicEntries(ReadOnlySpan<byte> raw, bool is64, EndianReader e)
    {
        _raw = raw;
        _is64 = is64;
        _e = e;
        _size = is64 ? 16 : 8;
        int n = raw.Length / _size;
        Count = n;
        for (int i = 0; i < n; i++)
            if (Tag(i) == DT_NULL)
            {
                Count = i;
                break;
            }
    }

    public int Count { get; }

    public (long Tag, ulong Value) this[int i]
    {
        get
        {
            var d = _raw.Slice(i * _size, _size);
            return (Tag(i), _is64 ? _e.U64(d[8..]) : _e.U32(d[4..]));
        }
    }

    private long Tag(int i)
    {
        var d = _raw.Slice(i * _size, _size);
        return _is64 ? _e.I64(d) : _e.I32(d);
    }
}
