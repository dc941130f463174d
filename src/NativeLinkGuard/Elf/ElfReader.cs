using System.Text;
using static NativeLinkGuard.Elf.ElfConstants;

namespace NativeLinkGuard.Elf;

/// <summary>
/// Reads the ELF header, finds PT_DYNAMIC the way the loader does (section headers only as a fallback) and
/// decodes the dynamic tags ld's search depends on. Reads only those byte ranges.
/// </summary>
public static class ElfReader
{
    public static bool TryRead(string path, out ElfFile? file, out ElfReadError? error)
    {
        try
        {
            using var source = new FileByteSource(path);
            return TryRead(source, out file, out error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException)
        {
            // ArgumentException: an empty path or one with a NUL byte, which File.OpenHandle rejects before any I/O.
            file = null;
            error = new ElfReadError(ElfReadErrorKind.IoError, e.Message);
            return false;
        }
    }

    public static bool TryRead(IByteSource source, out ElfFile? file, out ElfReadError? error) =>
        TryRead(source, 0, source.Length, out file, out error);

    /// <summary>Reads an ELF image that occupies [<paramref name="start"/>, start+length) of the source (archive
    /// members).</summary>
    public static bool TryRead(IByteSource source, long start, long length, out ElfFile? file, out ElfReadError? error)
    {
        try
        {
            var bounded = new BoundedSource(source, start, length);
            file = new Parser(bounded, ElfHeader.Read(bounded)).Parse();
            error = null;
            return true;
        }
        catch (ElfFormatException e)
        {
            file = null;
            error = new ElfReadError(e.Kind, e.Message, e.Offset);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file = null;
            error = new ElfReadError(ElfReadErrorKind.IoError, e.Message);
            return false;
        }
    }

    private readonly record struct Segment(ulong VirtualAddress, ulong Offset, ulong FileSize);

    private sealed class Parser(BoundedSource src, ElfHeader header)
    {
        private readonly EndianReader _e = header.Endian;
        private readonly bool _is64 = header.Is64;

        public ElfFile Parse()
        {
            var file = new ElfFile(header.Class, header.Data, header.Type, header.Machine, header.OsAbi, false, null,
                [], null, null, 0, 0);
            var loads = new List<Segment>();
            Segment? dynamic = null;
            if (header.HasProgramHeaders)
                ReadProgramHeaders(loads, ref dynamic);

            DynamicSectionInfo? section = null;
            if (dynamic is null && header.ShNum > 0 && header.ShOff != 0)
            {
                // No PT_DYNAMIC (stripped program headers, odd tools): fall back to the SHT_DYNAMIC section.
                section = FindDynamicSection();
                if (section is { } s) dynamic = new Segment(0, s.Offset, s.Size);
            }
            return dynamic is { } dyn ? WithDynamicTags(file, dyn, loads, section) : file;
        }

        /// <summary>HEADER with the dynamic section's tags read: its strings come from DT_STRTAB mapped through
        /// the PT_LOAD segments, or from the section headers' string table when SECTION stands in for PT_DYNAMIC.
        /// </summary>
        private ElfFile WithDynamicTags(ElfFile header, Segment dyn, List<Segment> loads, DynamicSectionInfo? section)
        {
            var entries = ReadDynamic(dyn);
            ulong strtabAddr = 0, strsz = 0, flags = 0, flags1 = 0;
            bool haveStrtab = false;
            foreach (var (tag, val) in entries)
            {
                switch (tag)
                {
                    case DT_STRTAB: strtabAddr = val; haveStrtab = true; break;
                    case DT_STRSZ: strsz = val; break;
                    case DT_FLAGS: flags = val; break;
                    case DT_FLAGS_1: flags1 = val; break;
                }
            }

            ulong strtabFileOffset = 0;
            if (section is { } sec)
            {
                strtabFileOffset = sec.StrtabOffset;
                if (strsz == 0) strsz = sec.StrtabSize;
            }
            else if (!haveStrtab)
            {
                if (entries.Any(e => e.Tag is DT_NEEDED or DT_SONAME or DT_RPATH or DT_RUNPATH))
                    throw new ElfFormatException(ElfReadErrorKind.Malformed,
                        "dynamic section has string tags but no DT_STRTAB", (long)dyn.Offset);
            }
            else
            {
                strtabFileOffset = MapAddress(loads, strtabAddr)
                    ?? throw new ElfFormatException(ElfReadErrorKind.Malformed,
                        $"DT_STRTAB address 0x{strtabAddr:x} is not inside any PT_LOAD segment", (long)dyn.Offset);
            }

            string? soname = null, rpath = null, runpath = null;
            var needed = new List<string>();
            foreach (var (tag, val) in entries)
            {
                switch (tag)
                {
                    case DT_NEEDED: needed.Add(ReadString(strtabFileOffset, strsz, val)); break;
                    case DT_SONAME: soname ??= ReadString(strtabFileOffset, strsz, val); break;
                    case DT_RPATH: rpath ??= ReadString(strtabFileOffset, strsz, val); break;
                    case DT_RUNPATH: runpath ??= ReadString(strtabFileOffset, strsz, val); break;
                }
            }
            return header with
            {
                HasDynamicSection = true,
                Soname = soname,
                Needed = needed,
                Rpath = rpath,
                Runpath = runpath,
                Flags = flags,
                Flags1 = flags1,
            };
        }

        private void ReadProgramHeaders(List<Segment> loads, ref Segment? dynamic)
        {
            var buf = header.ReadProgramHeaders(src);
            int entsize = header.PhEntSize;
            for (int i = 0; i < header.PhNum; i++)
            {
                var p = buf.AsSpan(i * entsize, entsize);
                uint ptype = _e.U32(p);
                ulong off, vaddr, filesz;
                if (_is64) { off = _e.U64(p[8..]); vaddr = _e.U64(p[16..]); filesz = _e.U64(p[32..]); }
                else { off = _e.U32(p[4..]); vaddr = _e.U32(p[8..]); filesz = _e.U32(p[16..]); }
                if (ptype == PT_LOAD) loads.Add(new Segment(vaddr, off, filesz));
                else if (ptype == PT_DYNAMIC && dynamic is null) dynamic = new Segment(vaddr, off, filesz);
            }
        }

        private readonly record struct DynamicSectionInfo(ulong Offset, ulong Size, ulong StrtabOffset,
            ulong StrtabSize);

        private DynamicSectionInfo? FindDynamicSection()
        {
            if (header.SectionHeaderProblem is not null) return null;
            var buf = header.ReadSectionHeaders(src);
            int entsize = header.ShEntSize, count = header.ShNum;
            ulong shoff = header.ShOff;
            (uint type, ulong off, ulong size, uint link) Sec(int i)
            {
                var s = buf.AsSpan(i * entsize, entsize);
                return _is64
                    ? (_e.U32(s[4..]), _e.U64(s[24..]), _e.U64(s[32..]), _e.U32(s[40..]))
                    : (_e.U32(s[4..]), _e.U32(s[16..]), _e.U32(s[20..]), _e.U32(s[24..]));
            }
            for (int i = 0; i < count; i++)
            {
                var (type, off, size, link) = Sec(i);
                if (type != SHT_DYNAMIC) continue;
                if (link >= count) throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"dynamic section links to section {link}, past the {count} sections", (long)shoff);
                var str = Sec((int)link);
                return new DynamicSectionInfo(off, size, str.off, str.size);
            }
            return null;
        }

        private List<(long Tag, ulong Value)> ReadDynamic(Segment dyn)
        {
            int entSize = _is64 ? 16 : 8;
            ulong maxEntries = Math.Min(dyn.FileSize / (ulong)entSize, MaxDynamicEntries);
            var buf = src.ReadArray(BoundedSource.Offset(dyn.Offset), (long)maxEntries * entSize);
            var result = new List<(long, ulong)>(buf.Length / entSize);
            for (int i = 0; i < (int)maxEntries; i++)
            {
                var d = buf.AsSpan(i * entSize, entSize);
                long tag = _is64 ? _e.I64(d) : _e.I32(d);
                ulong val = _is64 ? _e.U64(d[8..]) : _e.U32(d[4..]);
                if (tag == DT_NULL) break;
                result.Add((tag, val));
            }
            return result;
        }

        private static ulong? MapAddress(List<Segment> loads, ulong addr)
        {
            foreach (var l in loads)
                if (addr >= l.VirtualAddress && addr - l.VirtualAddress < l.FileSize)
                    return l.Offset + (addr - l.VirtualAddress);
            return null;
        }

        private string ReadString(ulong strtab, ulong strsz, ulong index)
        {
            if (strsz != 0 && index >= strsz)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"string index {index} is past DT_STRSZ {strsz}", (long)Math.Min(strtab, long.MaxValue));
            ulong start = strtab + index;
            if (start < strtab) throw new ElfFormatException(ElfReadErrorKind.Malformed, "string offset overflows",
                null);
            long offset = BoundedSource.Offset(start);
            if (offset >= src.Length)
                throw new ElfFormatException(ElfReadErrorKind.Truncated,
                    $"string at offset 0x{offset:x} is past the end of the {src.Length}-byte file", offset);
            // Both bounds are positive here; strsz - index may exceed long.MaxValue, so compare as ulong.
            ulong avail = (ulong)(src.Length - offset);
            if (strsz != 0) avail = Math.Min(avail, strsz - index);
            int max = (int)Math.Min(avail, (ulong)MaxStringLength);
            Span<byte> buf = stackalloc byte[MaxStringLength];
            buf = buf[..max];
            src.Read(offset, buf);
            int nul = buf.IndexOf((byte)0);
            if (nul < 0) throw new ElfFormatException(ElfReadErrorKind.Malformed,
                "unterminated string in the dynamic string table", offset);
            return Encoding.UTF8.GetString(buf[..nul]);
        }
    }
}
