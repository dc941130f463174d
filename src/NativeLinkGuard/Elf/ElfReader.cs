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
    public static bool TryRead(IByteSource source, long start, long length, out ElfFile? file,
        out ElfReadError? error) =>
        ElfReadError.Catch(() =>
        {
            var bounded = new BoundedSource(source, start, length);
            return new Parser(bounded, ElfHeader.Read(bounded)).Parse();
        }, out file, out error);

    private sealed class Parser(BoundedSource src, ElfHeader header)
    {
        public ElfFile Parse()
        {
            var file = new ElfFile(header.Class, header.Data, header.Type, header.Machine, header.OsAbi, false, null,
                [], null, null, 0, 0);
            var loads = new List<ProgramHeader>();
            ProgramHeader? dynamic = null;
            if (header.HasProgramHeaders)
                ReadProgramHeaders(loads, ref dynamic);

            DynamicSectionInfo? section = null;
            if (dynamic is null && header.ShNum > 0 && header.ShOff != 0)
            {
                // No PT_DYNAMIC (stripped program headers, odd tools): fall back to the SHT_DYNAMIC section.
                section = FindDynamicSection();
                if (section is { } s) dynamic = new ProgramHeader(PT_DYNAMIC, s.Offset, 0, s.Size);
            }
            return dynamic is { } dyn ? WithDynamicTags(file, dyn, loads, section) : file;
        }

        /// <summary>HEADER with the dynamic section's tags read: its strings come from DT_STRTAB mapped through
        /// the PT_LOAD segments, or from the section headers' string table when SECTION stands in for PT_DYNAMIC.
        /// </summary>
        private ElfFile WithDynamicTags(ElfFile file, ProgramHeader dyn, List<ProgramHeader> loads,
            DynamicSectionInfo? section)
        {
            var entries = header.ReadDynamic(src, dyn.Offset, dyn.FileSize);
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
                strtabFileOffset = ProgramHeader.FileOffsetOf(loads, strtabAddr)
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
            return file with
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

        private void ReadProgramHeaders(List<ProgramHeader> loads, ref ProgramHeader? dynamic)
        {
            var table = header.ReadProgramHeaders(src);
            for (int i = 0; i < header.PhNum; i++)
            {
                var p = header.ProgramHeaderAt(table, i);
                if (p.Type == PT_LOAD) loads.Add(p);
                else if (p.Type == PT_DYNAMIC && dynamic is null) dynamic = p;
            }
        }

        private readonly record struct DynamicSectionInfo(ulong Offset, ulong Size, ulong StrtabOffset,
            ulong StrtabSize);

        private DynamicSectionInfo? FindDynamicSection()
        {
            if (header.SectionHeaderProblem is not null) return null;
            var table = header.ReadSectionHeaders(src);
            int count = header.ShNum;
            for (int i = 0; i < count; i++)
            {
                var dyn = header.SectionHeaderAt(table, i);
                if (dyn.Type != SHT_DYNAMIC) continue;
                if (dyn.Link >= count) throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"dynamic section links to section {dyn.Link}, past the {count} sections", (long)header.ShOff);
                var str = header.SectionHeaderAt(table, (int)dyn.Link);
                return new DynamicSectionInfo(dyn.Offset, dyn.Size, str.Offset, str.Size);
            }
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
