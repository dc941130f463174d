using System.Buffers.Binary;
using System.Text;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Tests.Elf;

/// <summary>What to put in a synthesized ELF image, and how to break it. The defaults give a valid shared object.</summary>
internal sealed record ElfSpec
{
    public ElfClass Class { get; init; } = ElfClass.Elf64;
    public ElfData Data { get; init; } = ElfData.LittleEndian;
    public ElfType Type { get; init; } = ElfType.SharedObject;
    public ushort Machine { get; init; } = ElfMachines.X86_64;
    public byte OsAbi { get; init; }
    public string? Soname { get; init; }
    public IReadOnlyList<string> Needed { get; init; } = [];
    public string? Rpath { get; init; }
    public string? Runpath { get; init; }
    public ulong Flags { get; init; }
    public ulong Flags1 { get; init; }

    /// <summary>False: no program headers at all (e_phnum = 0, e_phoff = 0).</summary>
    public bool ProgramHeaders { get; init; } = true;

    /// <summary>False: PT_LOADs only, so the reader must fall back to SHT_DYNAMIC in the section headers.</summary>
    public bool PtDynamic { get; init; } = true;

    /// <summary>Section headers: null, .dynstr (SHT_STRTAB), .dynamic (SHT_DYNAMIC, sh_link = 1).</summary>
    public bool SectionHeaders { get; init; } = true;

    /// <summary>
    /// True: one PT_LOAD covers the whole file. False (default): two PT_LOADs with different vaddr - offset
    /// differences, the string table in the second, so DT_STRTAB only maps through the right one.
    /// </summary>
    public bool SingleLoad { get; init; }

    public ulong FirstLoadAddress { get; init; } = 0x400000;
    public ulong SecondLoadBias { get; init; } = 0x7ff000;

    public bool DtNull { get; init; } = true;
    public bool DtStrtab { get; init; } = true;

    /// <summary>Added to the DT_STRTAB value (wrapping), to point it elsewhere.</summary>
    public ulong StrtabAddressDelta { get; init; }

    public ulong? StrszOverride { get; init; }

    /// <summary>The last string's NUL is left out, and DT_STRSZ ends where it would have been.</summary>
    public bool UnterminatedLastString { get; init; }

    /// <summary>Raw entries appended after the generated ones (before DT_NULL).</summary>
    public IReadOnlyList<(long Tag, ulong Value)> ExtraDynamic { get; init; } = [];

    public ulong? PhoffOverride { get; init; }
    public ulong? ShoffOverride { get; init; }
    public ushort? PhnumOverride { get; init; }
    public ushort? ShnumOverride { get; init; }
    public ushort? PhentsizeOverride { get; init; }
    public ushort? ShentsizeOverride { get; init; }

    /// <summary>Overrides p_filesz of the PT_DYNAMIC header.</summary>
    public ulong? DynamicSizeOverride { get; init; }

    /// <summary>Overrides p_offset of the PT_DYNAMIC header.</summary>
    public ulong? DynamicOffsetOverride { get; init; }
}

/// <summary>A synthesized image, with where its parts are so that tests can poke at them.</summary>
internal sealed record ElfImage(byte[] Bytes, int PhOffset, int StrtabOffset, ulong StrtabAddress, int DynamicOffset, int DynamicSize, int ShOffset)
{
    public MemoryByteSource Source => new(Bytes);
}

/// <summary>Emits small ELF32/ELF64 images in either byte order: header, PT_LOAD + PT_DYNAMIC, .dynstr, .dynamic, sections.</summary>
internal static class ElfTestWriter
{
    public const long DT_NULL = 0, DT_NEEDED = 1, DT_STRTAB = 5, DT_STRSZ = 10, DT_SONAME = 14, DT_RPATH = 15, DT_RUNPATH = 29, DT_FLAGS = 30, DT_FLAGS_1 = 0x6ffffffb;

    public static ElfImage Write(ElfSpec spec)
    {
        bool is64 = spec.Class == ElfClass.Elf64;
        bool be = spec.Data == ElfData.BigEndian;
        int ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32, shentsize = is64 ? 64 : 40, dynentsize = is64 ? 16 : 8;

        // String table: "\0" then each string; remember each string's index.
        var strtab = new List<byte> { 0 };
        int Add(string s)
        {
            int index = strtab.Count;
            strtab.AddRange(Encoding.UTF8.GetBytes(s));
            strtab.Add(0);
            return index;
        }

        var dyn = new List<(long Tag, ulong Value)>();
        foreach (string n in spec.Needed) dyn.Add((DT_NEEDED, (ulong)Add(n)));
        if (spec.Soname is { } so) dyn.Add((DT_SONAME, (ulong)Add(so)));
        if (spec.Rpath is { } rp) dyn.Add((DT_RPATH, (ulong)Add(rp)));
        if (spec.Runpath is { } rn) dyn.Add((DT_RUNPATH, (ulong)Add(rn)));
        if (spec.Flags != 0) dyn.Add((DT_FLAGS, spec.Flags));
        if (spec.Flags1 != 0) dyn.Add((DT_FLAGS_1, spec.Flags1));
        if (spec.UnterminatedLastString && strtab.Count > 1) strtab.RemoveAt(strtab.Count - 1);

        int phnum = spec.ProgramHeaders ? (spec.SingleLoad ? 1 : 2) + (spec.PtDynamic ? 1 : 0) : 0;
        int phoff = ehsize;
        int strOff = Align(phoff + phnum * phentsize, 8);
        int dynOff = Align(strOff + strtab.Count, 8);
        int dynCount = dyn.Count + (spec.DtStrtab ? 2 : 1) + spec.ExtraDynamic.Count + (spec.DtNull ? 1 : 0);
        int dynSize = dynCount * dynentsize;
        int shnum = spec.SectionHeaders ? 3 : 0;
        int shoff = Align(dynOff + dynSize, 8);
        int total = shoff + shnum * shentsize;

        ulong firstAddr = spec.FirstLoadAddress;
        ulong secondBias = spec.SingleLoad ? firstAddr : spec.SecondLoadBias;
        ulong strAddr = secondBias + (ulong)strOff;
        ulong dynAddr = secondBias + (ulong)dynOff;

        var all = new List<(long Tag, ulong Value)>(dyn);
        if (spec.DtStrtab) all.Add((DT_STRTAB, unchecked(strAddr + spec.StrtabAddressDelta)));
        all.Add((DT_STRSZ, spec.StrszOverride ?? (ulong)strtab.Count));
        all.AddRange(spec.ExtraDynamic);
        if (spec.DtNull) all.Add((DT_NULL, 0));

        var b = new byte[total];
        var w = new Writer(b, be);

        // ELF header.
        b[0] = 0x7f; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F';
        b[4] = (byte)spec.Class; b[5] = (byte)spec.Data; b[6] = 1; b[7] = spec.OsAbi;
        w.U16(16, (ushort)spec.Type);
        w.U16(18, spec.Machine);
        w.U32(20, 1);
        int o = is64 ? 48 : 36; // e_flags
        w.Word(is64, 24, 0); // e_entry
        w.Word(is64, is64 ? 32 : 28, spec.PhoffOverride ?? (phnum > 0 ? (ulong)phoff : 0));
        w.Word(is64, is64 ? 40 : 32, spec.ShoffOverride ?? (shnum > 0 ? (ulong)shoff : 0));
        w.U32(o, 0);
        w.U16(o + 4, (ushort)ehsize);
        w.U16(o + 6, spec.PhentsizeOverride ?? (ushort)phentsize);
        w.U16(o + 8, spec.PhnumOverride ?? (ushort)phnum);
        w.U16(o + 10, spec.ShentsizeOverride ?? (ushort)shentsize);
        w.U16(o + 12, spec.ShnumOverride ?? (ushort)shnum);
        w.U16(o + 14, 0); // e_shstrndx = SHN_UNDEF

        // Program headers.
        if (phnum > 0)
        {
            int p = phoff;
            if (spec.SingleLoad)
            {
                Phdr(w, is64, p, 1, 0, firstAddr, (ulong)total, 5);
                p += phentsize;
            }
            else
            {
                // Headers in the first segment; string table, dynamic section and the rest in the second.
                Phdr(w, is64, p, 1, 0, firstAddr, (ulong)strOff, 5);
                p += phentsize;
                Phdr(w, is64, p, 1, (ulong)strOff, secondBias + (ulong)strOff, (ulong)(total - strOff), 6);
                p += phentsize;
            }
            if (spec.PtDynamic)
                Phdr(w, is64, p, 2, spec.DynamicOffsetOverride ?? (ulong)dynOff, dynAddr, spec.DynamicSizeOverride ?? (ulong)dynSize, 6);
        }

        strtab.CopyTo(b, strOff);

        for (int i = 0; i < all.Count; i++)
        {
            int d = dynOff + i * dynentsize;
            if (is64) { w.U64(d, unchecked((ulong)all[i].Tag)); w.U64(d + 8, all[i].Value); }
            else { w.U32(d, unchecked((uint)all[i].Tag)); w.U32(d + 4, unchecked((uint)all[i].Value)); }
        }

        if (shnum > 0)
        {
            // [0] null, [1] .dynstr, [2] .dynamic linked to [1].
            Shdr(w, is64, shoff + shentsize, 3, strAddr, (ulong)strOff, (ulong)strtab.Count, 0, 1);
            Shdr(w, is64, shoff + 2 * shentsize, 6, dynAddr, (ulong)dynOff, (ulong)dynSize, 1, (ulong)dynentsize);
        }

        return new ElfImage(b, phoff, strOff, strAddr, dynOff, dynSize, shoff);
    }

    /// <summary>A copy of <paramref name="bytes"/> with <paramref name="value"/> written at <paramref name="offset"/> in the image's byte order.</summary>
    public static byte[] Patch(byte[] bytes, ElfData data, int offset, ulong value, int size)
    {
        var copy = (byte[])bytes.Clone();
        var w = new Writer(copy, data == ElfData.BigEndian);
        switch (size)
        {
            case 1: copy[offset] = (byte)value; break;
            case 2: w.U16(offset, (ushort)value); break;
            case 4: w.U32(offset, (uint)value); break;
            case 8: w.U64(offset, value); break;
            default: throw new ArgumentOutOfRangeException(nameof(size));
        }
        return copy;
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static void Phdr(Writer w, bool is64, int at, uint type, ulong offset, ulong vaddr, ulong filesz, uint flags)
    {
        w.U32(at, type);
        if (is64)
        {
            w.U32(at + 4, flags);
            w.U64(at + 8, offset);
            w.U64(at + 16, vaddr);
            w.U64(at + 24, vaddr);
            w.U64(at + 32, filesz);
            w.U64(at + 40, filesz);
            w.U64(at + 48, 8);
        }
        else
        {
            w.U32(at + 4, (uint)offset);
            w.U32(at + 8, (uint)vaddr);
            w.U32(at + 12, (uint)vaddr);
            w.U32(at + 16, (uint)filesz);
            w.U32(at + 20, (uint)filesz);
            w.U32(at + 24, flags);
            w.U32(at + 28, 8);
        }
    }

    private static void Shdr(Writer w, bool is64, int at, uint type, ulong addr, ulong offset, ulong size, uint link, ulong entsize)
    {
        w.U32(at + 4, type);
        if (is64)
        {
            w.U64(at + 16, addr);
            w.U64(at + 24, offset);
            w.U64(at + 32, size);
            w.U32(at + 40, link);
            w.U64(at + 48, 8);
            w.U64(at + 56, entsize);
        }
        else
        {
            w.U32(at + 12, (uint)addr);
            w.U32(at + 16, (uint)offset);
            w.U32(at + 20, (uint)size);
            w.U32(at + 24, link);
            w.U32(at + 32, 4);
            w.U32(at + 36, (uint)entsize);
        }
    }

    private readonly struct Writer(byte[] bytes, bool bigEndian)
    {
        public void U16(int at, ushort v)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), v);
            else BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), v);
        }

        public void U32(int at, uint v)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), v);
            else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), v);
        }

        public void U64(int at, ulong v)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(at), v);
            else BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), v);
        }

        public void Word(bool is64, int at, ulong v)
        {
            if (is64) U64(at, v);
            else U32(at, (uint)v);
        }
    }
}
