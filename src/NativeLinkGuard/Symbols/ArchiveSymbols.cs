using System.Buffers.Binary;
using System.Text;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Symbols;

/// <summary>
/// An <c>ar</c> archive as ld uses it: the symbol index (GNU <c>/</c> and <c>/SYM64/</c>, BSD <c>__.SYMDEF</c>) maps a
/// symbol to the member that defines it; a member's symbols are read only when it is extracted. Member names follow
/// GNU (<c>/123</c> into <c>//</c>) and BSD (<c>#1/N</c>) long-name rules; a thin archive's members are separate files
/// next to it. Only headers, the index, the name table and extracted members are read.
/// </summary>
public sealed class ArchiveSymbols
{
    private const int HeaderSize = 60;
    private const long MaxIndexSize = 256L << 20;
    private const int MaxMembers = 1 << 20;

    private readonly IByteSource _raw;
    private readonly BoundedSource _src;
    private readonly string _directory;
    private readonly bool _thin;
    private readonly byte[]? _longNames;
    private readonly Dictionary<long, ObjectSymbols> _members = [];

    /// <summary>Symbol → header offsets of the members defining it, in index order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long>> Index { get; }

    /// <summary>Whether a name in the index holds an '@' (only one that starts with it: a version is cut off), so
    /// that a versioned name is worth looking up at all.</summary>
    public bool HasNamesWithAt { get; }

    /// <summary>False when the archive has no symbol index: ld then
    /// refuses it ("archive has no index; run ranlib").</summary>
    public bool HasIndex { get; }

    internal ArchiveSymbols(IByteSource raw, string directory)
    {
        _raw = raw;
        _src = new BoundedSource(raw, 0, raw.Length);
        _directory = directory;
        Span<byte> magic = stackalloc byte[8];
        if (_src.Length < 8) throw new ElfFormatException(ElfReadErrorKind.NotElf, "not an archive", 0);
        _src.Read(0, magic);
        var kind = FileMagic.Of(magic);
        if (kind is not (FileKind.Archive or FileKind.ThinArchive))
            throw new ElfFormatException(ElfReadErrorKind.NotElf, "not an archive (bad magic)", 0);
        _thin = kind == FileKind.ThinArchive;

        var index = new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
        long pos = 8;
        // The index and the long-name table come first; stop at the first ordinary member.
        for (int i = 0; i < 4 && pos < _src.Length; i++)
        {
            var (name, data, size, _) = Header(pos);
            if (name == "/" || name == "/SYM64/")
            {
                ReadGnuIndex(data, size, name == "/SYM64/", index);
                HasIndex = true;
            }
            else if (name.StartsWith("__.SYMDEF", StringComparison.Ordinal))
            {
                ReadBsdIndex(data, size, index);
                HasIndex = true;
            }
            else if (name == "//") _longNames = _src.ReadArray(data, Math.Min(size, MaxIndexSize));
            else break;
            pos = Next(data, size, stored: true);
        }
        // An archive without members needs no index (glibc 2.34+ ships an empty libpthread.a); ld accepts it.
        if (pos >= _src.Length) HasIndex = true;
        Index = index;
        HasNamesWithAt = index.Keys.Any(k => k.Contains('@'));
    }

    /// <summary>Every member's header offset, for --whole-archive.</summary>
    public IReadOnlyList<long> Members()
    {
        var list = new List<long>();
        long pos = 8;
        while (pos < _src.Length && list.Count < MaxMembers)
        {
            var (name, data, size, _) = Header(pos);
            if (name is not ("/" or "/SYM64/" or "//") && !name.StartsWith("__.SYMDEF", StringComparison.Ordinal))
                list.Add(pos);
            pos = Next(data, size,
                stored: !_thin || name is "/" or "/SYM64/" or "//"
                || name.StartsWith("__.SYMDEF", StringComparison.Ordinal));
        }
        return list;
    }

    /// <summary>The symbols of the member whose header is at <paramref name="headerOffset"/> (read once).</summary>
    public ObjectSymbols Member(long headerOffset, out string memberName)
    {
        var (name, data, size, bsdNameLength) = Header(headerOffset);
        memberName = name;
        if (_members.TryGetValue(headerOffset, out var cached)) return cached;
        ObjectSymbols result;
        if (_thin)
        {
            string path = Path.IsPathRooted(name) ? name : Path.Combine(_directory, name);
            using var file = new FileByteSource(path);
            result = ObjectSymbols.Read(new BoundedSource(file, 0, file.Length));
        }
        else
        {
            if (size > _src.Length - data)
                throw new ElfFormatException(ElfReadErrorKind.Truncated,
                    $"archive member {name} runs past the end of the file", headerOffset);
            result = ObjectSymbols.Read(new BoundedSource(_raw, data + bsdNameLength, size - bsdNameLength));
        }
        _members[headerOffset] = result;
        return result;
    }

    /// <summary>Which of <paramref name="names"/> the member's relocations
    /// use (see <see cref="ObjectSymbols.UsedByRelocations"/>).</summary>
    public IReadOnlySet<string> UsedByRelocations(long headerOffset, IReadOnlySet<string> names)
    {
        var (name, data, size, bsdNameLength) = Header(headerOffset);
        if (_thin)
        {
            string path = Path.IsPathRooted(name) ? name : Path.Combine(_directory, name);
            using var file = new FileByteSource(path);
            return ObjectSymbols.UsedByRelocations(new BoundedSource(file, 0, file.Length), names);
        }
        return ObjectSymbols.UsedByRelocations(new BoundedSource(_raw, data + bsdNameLength, size - bsdNameLength),
            names);
    }

    private long Next(long data, long size, bool stored)
    {
        long next = stored ? data + size + (size & 1) : data;
        if (next <= data - HeaderSize)
            throw new ElfFormatException(ElfReadErrorKind.Malformed, "archive member sizes loop", data);
        return next;
    }

    /// <summary>A member header: its name (long names resolved),
    /// data offset, size, and the BSD inline-name length.</summary>
    private (string Name, long Data, long Size, long BsdNameLength) Header(long pos)
    {
        if (pos < 8 || _src.Length - pos < HeaderSize)
            throw new ElfFormatException(ElfReadErrorKind.Truncated,
                $"archive member header at 0x{pos:x} is cut off by the end of the file", pos);
        Span<byte> h = stackalloc byte[HeaderSize];
        _src.Read(pos, h);
        if (h[58] != (byte)'`' || h[59] != (byte)'\n')
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"archive member header at 0x{pos:x} has a bad terminator", pos + 58);
        if (!ArchiveReader.TryParseSize(h.Slice(48, 10), out long size))
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"archive member size at 0x{pos:x} is not a decimal number", pos + 48);
        long data = pos + HeaderSize;
        var field = h[..16];
        string raw = Encoding.ASCII.GetString(field).TrimEnd(' ');
        if (raw.StartsWith("#1/", StringComparison.Ordinal))
        {
            if (!ArchiveReader.TryParseSize(field[3..], out long n) || n > size || n > 4096)
                throw new ElfFormatException(ElfReadErrorKind.Malformed, "bad BSD long-name length", pos);
            string bsd = Encoding.UTF8.GetString(_src.ReadArray(data, n)).TrimEnd('\0');
            return (bsd, data, size, n);
        }
        if (raw is "/" or "//" or "/SYM64/") return (raw, data, size, 0);
        if (raw.Length > 1 && raw[0] == '/' && char.IsAsciiDigit(raw[1]))
        {
            if (_longNames is null || !long.TryParse(raw.AsSpan(1), out long off)
                || off < 0 || off >= _longNames.Length)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"archive member name {raw} is not in the long-name table", pos);
            var rest = _longNames.AsSpan((int)off);
            int end = rest.IndexOf("/\n"u8);
            if (end < 0) end = rest.IndexOf((byte)'\n');
            if (end < 0) end = rest.Length;
            return (Encoding.UTF8.GetString(rest[..end]), data, size, 0);
        }
        return (raw.EndsWith('/') ? raw[..^1] : raw, data, size, 0);
    }

    private void ReadGnuIndex(long data, long size, bool sym64, Dictionary<string, IReadOnlyList<long>> index)
    {
        if (size > MaxIndexSize)
            throw new ElfFormatException(ElfReadErrorKind.Unsupported,
                $"archive symbol index of {size} bytes is too large", data);
        var b = _src.ReadArray(data, size);
        int w = sym64 ? 8 : 4;
        if (b.Length < w)
            throw new ElfFormatException(ElfReadErrorKind.Malformed, "archive symbol index is too short", data);
        ulong count = sym64 ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
        if (count > (ulong)(b.Length - w) / (ulong)w)
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"archive symbol index claims {count} symbols, more than its {size} bytes hold", data);
        int strings = w + (int)count * w;
        int p = strings;
        for (int i = 0; i < (int)count; i++)
        {
            long member = sym64
                ? (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(w + i * w)), long.MaxValue)
                : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(w + i * w));
            int nul = p < b.Length ? Array.IndexOf(b, (byte)0, p) : -1;
            if (nul < 0)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    "archive symbol index names run past its end", data + p);
            string name = Encoding.UTF8.GetString(b, p, nul - p);
            p = nul + 1;
            Add(index, name, member);
        }
    }

    private void ReadBsdIndex(long data, long size, Dictionary<string, IReadOnlyList<long>> index)
    {
        if (size > MaxIndexSize)
            throw new ElfFormatException(ElfReadErrorKind.Unsupported,
                $"archive symbol index of {size} bytes is too large", data);
        var (name, _, _, bsdNameLength) = Header(data - HeaderSize);
        _ = name;
        var b = _src.ReadArray(data + bsdNameLength, size - bsdNameLength);
        // struct ranlib { uint32 ran_strx; uint32 ran_off; }, little-endian as llvm-ar and cctools write it.
        if (b.Length < 4)
            throw new ElfFormatException(ElfReadErrorKind.Malformed, "BSD archive index is too short", data);
        uint ranBytes = BinaryPrimitives.ReadUInt32LittleEndian(b);
        if (ranBytes % 8 != 0 || ranBytes > b.Length - 8)
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"BSD archive index claims {ranBytes} bytes of entries, more than it holds", data);
        int strBase = 4 + (int)ranBytes + 4;
        uint strSize = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4 + (int)ranBytes));
        if (strSize > b.Length - strBase)
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                "BSD archive index strings run past its end", data);
        for (int i = 0; i < ranBytes / 8; i++)
        {
            uint strx = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4 + i * 8));
            uint off = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8 + i * 8));
            if (strx >= strSize)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    "BSD archive index names a string past its table", data);
            int nul = Array.IndexOf(b, (byte)0, strBase + (int)strx, (int)(strSize - strx));
            if (nul < 0)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    "BSD archive index has an unterminated name", data);
            Add(index, Encoding.UTF8.GetString(b, strBase + (int)strx, nul - strBase - (int)strx), off);
        }
    }

    private static void Add(Dictionary<string, IReadOnlyList<long>> index, string name, long member)
    {
        // A .symver'd definition is indexed as f@@V; extraction is decided on the plain name.
        int at = name.IndexOf('@');
        if (at > 0) name = name[..at];
        // Arrays, not lists: nearly every name has one member, and libgcc.a's index alone has 650 names.
        if (!index.TryGetValue(name, out var members)) index[name] = new[] { member };
        else if (!members.Contains(member)) index[name] = [.. members, member];
    }
}
