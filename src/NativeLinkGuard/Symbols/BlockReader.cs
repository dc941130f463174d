using System.Text;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Symbols;

/// <summary>
/// Small reads of symbol, hash, version and string tables through 4 KiB blocks read once each: a hash lookup touches a
/// bloom word, a bucket, a chain run, a symbol and a name, which usually share a few blocks. Every read is bounds-checked
/// by <see cref="BoundedSource"/>; a cap on cached blocks keeps a hostile table from growing memory without limit.
/// </summary>
internal sealed class BlockReader(BoundedSource src, EndianReader e)
{
    private const int BlockSize = 4096;
    private const int MaxCachedBlocks = 16384; // 64 MiB

    private readonly Dictionary<long, byte[]> _blocks = [];

    public long Length => src.Length;

    public void Read(long offset, Span<byte> buffer)
    {
        if (offset < 0 || buffer.Length > src.Length || offset > src.Length - buffer.Length)
            throw new ElfFormatException(ElfReadErrorKind.Truncated, $"needs {buffer.Length} bytes at offset 0x{offset:x}, past the end of the {src.Length}-byte file", offset);
        while (!buffer.IsEmpty)
        {
            long block = offset / BlockSize;
            var bytes = Block(block);
            int at = (int)(offset - block * BlockSize);
            int n = Math.Min(buffer.Length, bytes.Length - at);
            if (n <= 0) throw new ElfFormatException(ElfReadErrorKind.Truncated, $"short read at offset 0x{offset:x}", offset);
            bytes.AsSpan(at, n).CopyTo(buffer);
            buffer = buffer[n..];
            offset += n;
        }
    }

    private byte[] Block(long index)
    {
        if (_blocks.TryGetValue(index, out var b)) return b;
        if (_blocks.Count >= MaxCachedBlocks) _blocks.Clear();
        long start = index * BlockSize;
        int size = (int)Math.Min(BlockSize, src.Length - start);
        b = src.ReadArray(start, size);
        _blocks[index] = b;
        return b;
    }

    public ushort U16(long offset) { Span<byte> b = stackalloc byte[2]; Read(offset, b); return e.U16(b); }

    public uint U32(long offset) { Span<byte> b = stackalloc byte[4]; Read(offset, b); return e.U32(b); }

    public ulong U64(long offset) { Span<byte> b = stackalloc byte[8]; Read(offset, b); return e.U64(b); }

    /// <summary>A NUL-terminated name at <paramref name="offset"/>, at most <paramref name="limit"/> bytes (the table's end).</summary>
    public string CString(long offset, long limit)
    {
        const int MaxName = 64 * 1024; // C++ names get long, but not this long
        long max = Math.Min(Math.Min(limit, src.Length - offset), MaxName);
        if (offset < 0 || max <= 0) throw new ElfFormatException(ElfReadErrorKind.Malformed, $"symbol name at 0x{offset:x} is outside its string table", offset);
        var bytes = new List<byte>(32);
        Span<byte> chunk = stackalloc byte[64];
        long pos = offset;
        while (pos - offset < max)
        {
            int n = (int)Math.Min(chunk.Length, max - (pos - offset));
            // Stay inside one block per step so a name never costs a read past the table.
            n = Math.Min(n, BlockSize - (int)(pos % BlockSize));
            Read(pos, chunk[..n]);
            int nul = chunk[..n].IndexOf((byte)0);
            if (nul >= 0) { foreach (var c in chunk[..nul]) bytes.Add(c); return Encoding.UTF8.GetString([.. bytes]); }
            foreach (var c in chunk[..n]) bytes.Add(c);
            pos += n;
        }
        throw new ElfFormatException(ElfReadErrorKind.Malformed, $"unterminated symbol name at 0x{offset:x}", offset);
    }
}
