using System.Text;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Symbols;

/// <summary>
/// Small reads of symbol, hash, version and string tables through 4 KiB blocks read once each: a hash lookup touches a
/// bloom word, a bucket, a chain run, a symbol and a name, which usually share a few blocks. Reads are confined to the
/// regions the caller declares (one per table, each ending where the next known table starts), and blocks are aligned
/// to the file's pages and clipped by their region, so not one byte outside the tables is read. Every read is
/// bounds-checked by <see cref="BoundedSource"/>; a cap on cached blocks keeps a hostile table from growing memory
/// without limit.
/// </summary>
internal sealed class BlockReader(BoundedSource src, EndianReader e)
{
    private const int BlockSize = 4096;
    private const int MaxCachedBlocks = 16384; // 64 MiB

    private readonly Dictionary<(int, long), byte[]> _blocks = [];
    private readonly List<(long Start, long End)> _regions = [];

    public long Length => src.Length;

    /// <summary>Declares [start, end) readable (clipped to the file).</summary>
    public void AddRegion(long start, long end)
    {
        end = Math.Min(end, src.Length);
        if (start >= 0 && start < end) _regions.Add((start, end));
    }

    public void Read(long offset, Span<byte> buffer)
    {
        int r = RegionOf(offset);
        if (r < 0 || buffer.Length > _regions[r].End - offset)
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"needs {buffer.Length} bytes at offset 0x{offset:x}, outside the table it belongs to", offset);
        var (start, end) = _regions[r];
        while (!buffer.IsEmpty)
        {
            // Blocks follow the file's pages (clipped to the region): a block that straddled two pages made the
            // kernel read both.
            long page = offset / BlockSize;
            long blockStart = Math.Max(start, page * BlockSize);
            var bytes = Block(r, blockStart, Math.Min(end, (page + 1) * BlockSize), page);
            int at = (int)(offset - blockStart);
            int n = Math.Min(buffer.Length, bytes.Length - at);
            if (n <= 0)
                throw new ElfFormatException(ElfReadErrorKind.Truncated, $"short read at offset 0x{offset:x}", offset);
            bytes.AsSpan(at, n).CopyTo(buffer);
            buffer = buffer[n..];
            offset += n;
        }
    }

    // A loop, not FindIndex with a lambda: that was a closure per read, and a lookup makes dozens of reads.
    private int RegionOf(long offset)
    {
        for (int i = 0; i < _regions.Count; i++)
            if (offset >= _regions[i].Start && offset < _regions[i].End) return i;
        return -1;
    }

    private byte[] Block(int region, long blockStart, long blockEnd, long index)
    {
        if (_blocks.TryGetValue((region, index), out var b)) return b;
        if (_blocks.Count >= MaxCachedBlocks) _blocks.Clear();
        int size = (int)(blockEnd - blockStart);
        b = src.ReadArray(blockStart, size);
        _blocks[(region, index)] = b;
        return b;
    }

    public ushort U16(long offset) { Span<byte> b = stackalloc byte[2]; Read(offset, b); return e.U16(b); }

    public uint U32(long offset) { Span<byte> b = stackalloc byte[4]; Read(offset, b); return e.U32(b); }

    public ulong U64(long offset) { Span<byte> b = stackalloc byte[8]; Read(offset, b); return e.U64(b); }

    /// <summary>A NUL-terminated name at <paramref name="offset"/>, at
    /// most <paramref name="limit"/> bytes (the table's end).</summary>
    public string CString(long offset, long limit)
    {
        const int MaxName = 64 * 1024; // C++ names get long, but not this long
        long max = Math.Min(Math.Min(limit, src.Length - offset), MaxName);
        if (offset < 0 || max <= 0)
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"symbol name at 0x{offset:x} is outside its string table", offset);
        List<byte>? bytes = null;
        Span<byte> chunk = stackalloc byte[64];
        long pos = offset;
        while (pos - offset < max)
        {
            int n = (int)Math.Min(chunk.Length, max - (pos - offset));
            Read(pos, chunk[..n]);
            int nul = chunk[..n].IndexOf((byte)0);
            // Most names end in their first chunk: decoded from it, with no buffer in between.
            if (nul >= 0 && bytes is null) return Encoding.UTF8.GetString(chunk[..nul]);
            bytes ??= new List<byte>(128);
            if (nul >= 0) { foreach (var c in chunk[..nul]) bytes.Add(c); return Encoding.UTF8.GetString([.. bytes]); }
            foreach (var c in chunk[..n]) bytes.Add(c);
            pos += n;
        }
        throw new ElfFormatException(ElfReadErrorKind.Malformed, $"unterminated symbol name at 0x{offset:x}", offset);
    }
}
