using System.Text;

namespace NativeLinkGuard.Elf;

/// <summary>
/// Reads just enough of an <c>ar</c> archive to tell its target: ld skips an archive as incompatible when its first
/// object member is for another class or machine (ld-rules §1.6). Member headers only; the symbol index is skipped.
/// </summary>
public static class ArchiveReader
{
    private const int HeaderSize = 60;
    private const int MaxMembersScanned = 16;

    public static bool TryReadFirstMember(string path, out ElfFile? first, out ElfReadError? error)
    {
        first = null;
        try
        {
            using var src = new FileByteSource(path);
            Span<byte> magic = stackalloc byte[8];
            if (src.ReadAt(0, magic) != 8) { error = new ElfReadError(ElfReadErrorKind.Truncated, "archive shorter than its magic"); return false; }
            bool thin = magic.SequenceEqual("!<thin>\n"u8);
            if (!thin && !magic.SequenceEqual("!<arch>\n"u8)) { error = new ElfReadError(ElfReadErrorKind.NotElf, "not an ar archive"); return false; }
            long offset = 8;
            string? longNames = null;
            var header = new byte[HeaderSize];
            for (int m = 0; m < MaxMembersScanned && offset + HeaderSize <= src.Length; m++)
            {
                if (src.ReadAt(offset, header) != HeaderSize || header[58] != '`' || header[59] != '\n')
                {
                    error = new ElfReadError(ElfReadErrorKind.Malformed, "bad archive member header", offset);
                    return false;
                }
                string name = Encoding.ASCII.GetString(header, 0, 16).TrimEnd(' ');
                if (!long.TryParse(Encoding.ASCII.GetString(header, 48, 10).Trim(), out long size) || size < 0 || size > src.Length)
                {
                    error = new ElfReadError(ElfReadErrorKind.Malformed, "bad archive member size", offset + 48);
                    return false;
                }
                long data = offset + HeaderSize;
                bool symbolTable = name is "/" or "/SYM64/" || name.StartsWith("__.SYMDEF", StringComparison.Ordinal);
                if (name == "//")
                {
                    var buf = new byte[(int)Math.Min(size, 1 << 20)];
                    src.ReadAt(data, buf);
                    longNames = Encoding.UTF8.GetString(buf);
                }
                else if (!symbolTable)
                {
                    if (!thin)
                    {
                        bool ok = ElfReader.TryRead(src, data, size, out first, out error);
                        return ok;
                    }
                    // Thin archive: the member's data is the file it names, relative to the archive.
                    string member = MemberName(name, longNames);
                    string memberPath = Path.IsPathRooted(member) ? member : Path.Combine(Path.GetDirectoryName(path) ?? ".", member);
                    return ElfReader.TryRead(memberPath, out first, out error);
                }
                // Thin archives store data only for the symbol table and the long-name table.
                long advance = thin && !symbolTable && name != "//" ? 0 : size;
                offset = data + advance + (advance & 1);
            }
            error = new ElfReadError(ElfReadErrorKind.Malformed, "archive has no object member");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = new ElfReadError(ElfReadErrorKind.IoError, e.Message);
            return false;
        }
    }

    private static string MemberName(string name, string? longNames)
    {
        if (name.StartsWith('/') && int.TryParse(name.AsSpan(1), out int off) && longNames is not null && off >= 0 && off < longNames.Length)
        {
            int end = longNames.IndexOf("/\n", off, StringComparison.Ordinal);
            return end < 0 ? longNames[off..] : longNames[off..end];
        }
        return name.TrimEnd('/');
    }
}
