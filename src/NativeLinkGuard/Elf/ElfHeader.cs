using static NativeLinkGuard.Elf.ElfConstants;

namespace NativeLinkGuard.Elf;

/// <summary>
/// The ELF identification and file header, decoded and checked here for every reader (<see cref="ElfReader"/>,
/// archive members, the symbol tables): the magic, class and byte order first, then the fields the readers use. The
/// entry sizes of the program and section header tables are checked here too, before any reader walks them.
/// </summary>
internal readonly partial record struct ElfHeader(
    ElfClass Class,
    ElfData Data,
    byte OsAbi,
    ElfType Type,
    ushort Machine,
    ulong PhOff,
    int PhEntSize,
    int PhNum,
    ulong ShOff,
    int ShEntSize,
    int ShNum)
{
    private const int IdentSize = 16;

    /// <summary>The larger header (ELF64); an ELF32 header is 52 bytes.</summary>
    public const int MaxSize = 64;

    public bool Is64 => Class == ElfClass.Elf64;

    public EndianReader Endian => new(Data == ElfData.BigEndian);

    /// <summary>There is a program header table to read (ld.so and ElfReader take e_phoff 0 as none).</summary>
    public bool HasProgramHeaders => PhNum > 0 && PhOff != 0;

    /// <summary>Why the section header table cannot be walked (an entry smaller than Elf32/64_Shdr), or null.</summary>
    public string? SectionHeaderProblem
    {
        get
        {
            int min = Is64 ? 64 : 40;
            return ShEntSize < min ? $"section header size {ShEntSize} is smaller than {min}" : null;
        }
    }

    /// <summary>The header at the start of <paramref name="src"/>, read with one read of at most 64 bytes.</summary>
    public static ElfHeader Read(BoundedSource src)
    {
        Span<byte> head = stackalloc byte[MaxSize];
        head = head[..(int)Math.Min(MaxSize, src.Length)];
        src.Read(0, head);
        return Decode(head, src.Length);
    }

    /// <summary>Decodes the first bytes of a file (up to <see cref="MaxSize"/>, fewer only when the file is shorter,
    /// whose whole length is <paramref name="length"/>). Throws <see cref="ElfFormatException"/>.</summary>
    public static ElfHeader Decode(ReadOnlySpan<byte> head, long length)
    {
        if (head.Length < IdentSize)
            throw new ElfFormatException(ElfReadErrorKind.NotElf, "file is too short to be ELF", 0);
        if (!head.StartsWith(FileMagic.Elf))
            throw new ElfFormatException(ElfReadErrorKind.NotElf, "not an ELF file (bad magic)", 0);
        var cls = head[4] switch
        {
            1 => ElfClass.Elf32,
            2 => ElfClass.Elf64,
            _ => throw new ElfFormatException(ElfReadErrorKind.Malformed, $"invalid ELF class {head[4]}", 4),
        };
        var data = head[5] switch
        {
            1 => ElfData.LittleEndian,
            2 => ElfData.BigEndian,
            _ => throw new ElfFormatException(ElfReadErrorKind.Malformed, $"invalid ELF data encoding {head[5]}", 5),
        };
        bool is64 = cls == ElfClass.Elf64;
        int size = is64 ? 64 : 52;
        if (head.Length < size) throw BoundedSource.PastEnd(0, size, length);
        var e = new EndianReader(data == ElfData.BigEndian);
        int o = is64 ? 54 : 42; // e_phentsize, then e_phnum, e_shentsize, e_shnum
        return new ElfHeader(cls, data, head[7], (ElfType)e.U16(head[16..]), e.U16(head[18..]),
            is64 ? e.U64(head[32..]) : e.U32(head[28..]), e.U16(head[o..]), e.U16(head[(o + 2)..]),
            is64 ? e.U64(head[40..]) : e.U32(head[32..]), e.U16(head[(o + 4)..]), e.U16(head[(o + 6)..]));
    }

    /// <summary>The whole program header table, its entry size and count checked first: a hostile header cannot
    /// make a reader allocate more than the file holds.</summary>
    public byte[] ReadProgramHeaders(BoundedSource src) =>
        src.ReadArray(BoundedSource.Offset(PhOff), ProgramHeaderBytes());

    /// <summary>The size of the program header table, its entry size and count checked (readers that read it into
    /// a buffer of their own).</summary>
    public int ProgramHeaderBytes()
    {
        int min = Is64 ? 56 : 32;
        if (PhEntSize < min) throw new ElfFormatException(ElfReadErrorKind.Malformed,
            $"program header size {PhEntSize} is smaller than {min}", 0);
        if (PhNum > MaxProgramHeaders) throw new ElfFormatException(ElfReadErrorKind.Malformed,
            $"{PhNum} program headers is more than the reader accepts", 0);
        return PhEntSize * PhNum;
    }

    /// <summary>The whole section header table; throws when <see cref="SectionHeaderProblem"/> says why not.</summary>
    public byte[] ReadSectionHeaders(BoundedSource src)
    {
        if (SectionHeaderProblem is { } problem)
            throw new ElfFormatException(ElfReadErrorKind.Malformed, problem, 0);
        // 65535 * 65535 overflows int: the size is computed in long and range-checked before allocating.
        return src.ReadArray(BoundedSource.Offset(ShOff), (long)ShEntSize * ShNum);
    }
}
