using System.Text;

namespace NativeLinkGuard.Elf;

/// <summary>
/// Reads the ELF header of an archive's first object member, which is what decides whether ld skips the archive as
/// incompatible (ld-rules 1.6). Reads only member headers (60 bytes each), the long-name table of a thin archive,
/// and the first member's ELF header and dynamic tags; never the members' contents.
/// </summary>
public static class ArchiveReader
{
    private const int HeaderSize = 60;

    /// <summary>Special members before the first object: "/", "/SYM64/", "//", "__.SYMDEF", BSD "#1/" names. Past this,
    /// give up.</summary>
    private const int MaxMembersExamined = 16;

    /// <summary>Upper bound on the thin-archive long-name table we are willing to read.</summary>
    private const long MaxLongNameTable = 16 << 20;

    /// <summary>
    /// Returns the ELF header info of the first member that is not a symbol index or name table. As in BFD
    /// (<c>bfd_generic_archive_p</c>), only that member counts: if it is not ELF, the result is false with
    /// <see cref="ElfReadErrorKind.NotElf"/>, and ld does not reject the archive on its account. An archive with no
    /// members gives <see cref="ElfReadErrorKind.NotElf"/> too. For a thin archive the member is read from its path,
    /// relative to the archive's directory. Never throws.
    /// </summary>
    public static bool TryReadFirstMember(string path, out ElfFile? first, out ElfReadError? error)
    {
        first = null;
        try
        {
            using var source = new FileByteSource(path);
            return TryReadFirstMember(source, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", out first,
                out error);
        }
        catch (ElfFormatException e)
        {
            error = new ElfReadError(e.Kind, e.Message, e.Offset);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException)
        {
            error = new ElfReadError(ElfReadErrorKind.IoError, e.Message);
            return false;
        }
    }

    private static bool TryReadFirstMember(IByteSource raw, string directory, out ElfFile? first,
        out ElfReadError? error)
    {
        first = null;
        var src = new BoundedSource(raw, 0, raw.Length);
        if (src.Length < 8)
            return Fail(out error, ElfReadErrorKind.NotElf, "not an archive (too short for the magic)", 0);
        Span<byte> magic = stackalloc byte[8];
        src.Read(0, magic);
        var kind = FileMagic.Of(magic);
        if (kind is not (FileKind.Archive or FileKind.ThinArchive))
            return Fail(out error, ElfReadErrorKind.NotElf, "not an archive (bad magic)", 0);
        bool thin = kind == FileKind.ThinArchive;

        byte[]? longNames = null;
        long pos = 8;
        Span<byte> h = stackalloc byte[HeaderSize];
        for (int i = 0; i < MaxMembersExamined; i++)
        {
            if (pos >= src.Length)
                return Fail(out error, ElfReadErrorKind.NotElf, "archive has no object members", null);
            if (src.Length - pos < HeaderSize)
                return Fail(out error, ElfReadErrorKind.Truncated,
                    $"archive member header at 0x{pos:x} is cut off by the end of the file", pos);
            src.Read(pos, h);
            if (h[58] != (byte)'`' || h[59] != (byte)'\n')
                return Fail(out error, ElfReadErrorKind.Malformed, "archive member header has a bad terminator",
                    pos + 58);
            if (!TryParseSize(h.Slice(48, 10), out long size))
                return Fail(out error, ElfReadErrorKind.Malformed,
                    $"archive member size '{Encoding.ASCII.GetString(h.Slice(48, 10)).TrimEnd()}' is not a decimal " +
                        $"number", pos + 48);
            var name = h[..16];
            long data = pos + HeaderSize;
            long bsdNameLength = 0;
            bool special = IsSpecial(name);
            if (!thin && name.StartsWith("#1/"u8))
            {
                // BSD long name: the name's bytes precede the member's data and count in its size.
                if (!TryParseSize(name[3..], out bsdNameLength) || bsdNameLength > size || bsdNameLength > 4096)
                    return Fail(out error, ElfReadErrorKind.Malformed, "bad BSD long-name length", pos);
                special = bsdNameLength >= 9 && src.ReadArray(data, bsdNameLength).AsSpan().StartsWith("__.SYMDEF"u8);
            }
            // Members of a thin archive are not stored in it, except the symbol index and the long-name table.
            bool stored = !thin || special;
            if (stored && size > src.Length - data)
                return Fail(out error, ElfReadErrorKind.Truncated,
                    $"archive member of {size} bytes runs past the end of the {src.Length}-byte file", pos + 48);

            if (special)
            {
                if (name.StartsWith("// "u8) && thin)
                {
                    if (size > MaxLongNameTable)
                        return Fail(out error, ElfReadErrorKind.Unsupported,
                            $"long-name table of {size} bytes is too large", data);
                    longNames = src.ReadArray(data, size);
                }
                pos = data + size + (size & 1);
                continue;
            }

            if (!thin)
            {
                return ElfReader.TryRead(raw, data + bsdNameLength, size - bsdNameLength, out first, out error);
            }

            string? memberName = ThinMemberName(name, longNames);
            if (memberName is null)
                return Fail(out error, ElfReadErrorKind.Malformed,
                    "thin archive member name is not in the long-name table", pos);
            return TryReadThinMember(directory, memberName, out first, out error);
        }
        return Fail(out error, ElfReadErrorKind.Unsupported,
            $"no object member among the first {MaxMembersExamined} archive members", pos);
    }

    /// <summary>A thin archive's member is a file of its own, named relative to the archive's directory.</summary>
    private static bool TryReadThinMember(string directory, string memberName, out ElfFile? first,
        out ElfReadError? error)
    {
        string memberPath = Path.IsPathRooted(memberName) ? memberName : Path.Combine(directory, memberName);
        if (!ElfReader.TryRead(memberPath, out first, out var inner))
        {
            error = inner! with { Message = $"{memberPath}: {inner!.Message}" };
            return false;
        }
        error = null;
        return true;
    }

    private static bool IsSpecial(ReadOnlySpan<byte> name) =>
        name.StartsWith("/ "u8) || name.StartsWith("/SYM64/ "u8) || name.StartsWith("// "u8)
        || name.StartsWith("__.SYMDEF"u8);

    /// <summary>GNU names: "foo.o/" inline, or "/123" = offset into the "//" table, where names end in "/\n".</summary>
    private static string? ThinMemberName(ReadOnlySpan<byte> field, byte[]? longNames)
    {
        if (field.Length > 1 && field[0] == (byte)'/' && field[1] is >= (byte)'0' and <= (byte)'9')
        {
            if (longNames is null || !TryParseSize(field[1..], out long offset) || offset >= longNames.Length)
                return null;
            var rest = longNames.AsSpan((int)offset);
            int end = rest.IndexOf("/\n"u8);
            if (end < 0) end = rest.IndexOf((byte)'\n');
            if (end <= 0) return null;
            return Encoding.UTF8.GetString(rest[..end]);
        }
        int slash = field.IndexOf((byte)'/');
        var inline = slash >= 0 ? field[..slash] : field.TrimEnd((byte)' ');
        return inline.Length == 0 ? null : Encoding.UTF8.GetString(inline);
    }

    /// <summary>Decimal ASCII, right-padded with spaces; at least one digit and nothing else.</summary>
    internal static bool TryParseSize(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        field = field.TrimEnd((byte)' ');
        if (field.IsEmpty || field.Length > 18) return false;
        foreach (byte b in field)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    private static bool Fail(out ElfReadError? error, ElfReadErrorKind kind, string message, long? offset)
    {
        error = new ElfReadError(kind, message, offset);
        return false;
    }
}
