using System.Buffers;
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

    /// <summary>As <see cref="TryRead(IByteSource, out ElfFile?, out ElfReadError?)"/>, its dynamic strings shared
    /// through STRINGS with the other files read (a run's file cache).</summary>
    public static bool TryRead(IByteSource source, ElfStrings strings, out ElfFile? file, out ElfReadError? error) =>
        TryRead(source, 0, source.Length, out file, out error, strings);

    /// <summary>Reads an ELF image that occupies [<paramref name="start"/>, start+length) of the source (archive
    /// members); STRINGS, when given, shares its dynamic strings with the other files read.</summary>
    public static bool TryRead(IByteSource source, long start, long length, out ElfFile? file,
        out ElfReadError? error, ElfStrings? strings = null) =>
        // The state goes in as a value and the lambda is static: a run reads thousands of files, none allocates a
        // closure here.
        ElfReadError.Catch((source, start, length, strings), static s =>
        {
            var bounded = new BoundedSource(s.source, s.start, s.length);
            return new Parser(bounded, ElfHeader.Read(bounded), s.strings).Parse();
        }, out file, out error);

    // The tables are read into pooled buffers and decoded in place: per file, only the ElfFile and its strings are
    // allocated (a run reads a thousand libraries; every byte allocated is a byte the GC copies or a page touched).
    private sealed class Parser(BoundedSource src, ElfHeader header, ElfStrings? strings = null)
    {
        // A PT_LOAD count that fits on the stack (linkers emit 2 to 5); more take an array.
        private const int StackLoads = 16;

        public ElfFile Parse()
        {
            int phBytes = header.HasProgramHeaders ? header.ProgramHeaderBytes() : 0;
            var loads = header.HasProgramHeaders && header.PhNum > StackLoads
                ? new ProgramHeader[header.PhNum] : stackalloc ProgramHeader[StackLoads];
            int loadCount = 0;
            ProgramHeader? dynamic = null;
            if (phBytes > 0)
            {
                var table = Rent(BoundedSource.Offset(header.PhOff), phBytes);
                try
                {
                    for (int i = 0; i < header.PhNum; i++)
                    {
                        var p = header.ProgramHeaderAt(table.AsSpan(0, phBytes), i);
                        if (p.Type == PT_LOAD) loads[loadCount++] = p;
                        else if (p.Type == PT_DYNAMIC && dynamic is null) dynamic = p;
                    }
                }
                finally { ArrayPool<byte>.Shared.Return(table); }
            }

            DynamicSectionInfo? section = null;
            if (dynamic is null && header.ShNum > 0 && header.ShOff != 0)
            {
                // No PT_DYNAMIC (stripped program headers, odd tools): fall back to the SHT_DYNAMIC section.
                section = FindDynamicSection();
                if (section is { } s) dynamic = new ProgramHeader(PT_DYNAMIC, s.Offset, 0, s.Size);
            }
            return dynamic is { } dyn ? WithDynamicTags(dyn, loads[..loadCount], section) : File(default);
        }

        private ElfFile File(DynamicTags t) => new(header.Class, header.Data, header.Type, header.Machine,
            header.OsAbi, t.Present, t.Soname, t.Needed ?? [], t.Rpath, t.Runpath, t.Flags, t.Flags1);

        private readonly record struct DynamicTags(bool Present, string? Soname, IReadOnlyList<string>? Needed,
            string? Rpath, string? Runpath, ulong Flags, ulong Flags1);

        // COUNT bytes at OFFSET in a pooled buffer (range checked before it is sized); the caller returns it.
        private byte[] Rent(long offset, int count)
        {
            src.Check(offset, count);
            var buffer = ArrayPool<byte>.Shared.Rent(count);
            src.Read(offset, buffer.AsSpan(0, count));
            return buffer;
        }

        /// <summary>The file with the dynamic section's tags read: its strings come from DT_STRTAB mapped through
        /// the PT_LOAD segments, or from the section headers' string table when SECTION stands in for PT_DYNAMIC.
        /// </summary>
        private ElfFile WithDynamicTags(ProgramHeader dyn, ReadOnlySpan<ProgramHeader> loads,
            DynamicSectionInfo? section)
        {
            int bytes = header.DynamicBytes(dyn.FileSize);
            var raw = Rent(BoundedSource.Offset(dyn.Offset), bytes);
            try
            {
                return File(ReadTags(header.Dynamic(raw.AsSpan(0, bytes)), dyn, loads, section));
            }
            finally { ArrayPool<byte>.Shared.Return(raw); }
        }

        private DynamicTags ReadTags(DynamicEntries entries, ProgramHeader dyn, ReadOnlySpan<ProgramHeader> loads,
            DynamicSectionInfo? section)
        {
            ulong strtabAddr = 0, strsz = 0, flags = 0, flags1 = 0;
            bool haveStrtab = false, stringTags = false;
            int neededCount = 0;
            for (int i = 0; i < entries.Count; i++)
            {
                var (tag, val) = entries[i];
                switch (tag)
                {
                    case DT_STRTAB: strtabAddr = val; haveStrtab = true; break;
                    case DT_STRSZ: strsz = val; break;
                    case DT_FLAGS: flags = val; break;
                    case DT_FLAGS_1: flags1 = val; break;
                    case DT_NEEDED: neededCount++; stringTags = true; break;
                    case DT_SONAME or DT_RPATH or DT_RUNPATH: stringTags = true; break;
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
                if (stringTags)
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
            var needed = neededCount == 0 ? [] : new string[neededCount];
            neededCount = 0;
            for (int i = 0; i < entries.Count; i++)
            {
                var (tag, val) = entries[i];
                switch (tag)
                {
                    case DT_NEEDED: needed[neededCount++] = ReadString(strtabFileOffset, strsz, val); break;
                    case DT_SONAME: soname ??= ReadString(strtabFileOffset, strsz, val); break;
                    case DT_RPATH: rpath ??= ReadString(strtabFileOffset, strsz, val); break;
                    case DT_RUNPATH: runpath ??= ReadString(strtabFileOffset, strsz, val); break;
                }
            }
            return new DynamicTags(true, soname, needed, rpath, runpath, flags, flags1);
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
            return strings?.Get(buf[..nul]) ?? Encoding.UTF8.GetString(buf[..nul]);
        }
    }
}
