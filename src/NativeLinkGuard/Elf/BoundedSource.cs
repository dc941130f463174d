namespace NativeLinkGuard.Elf;

/// <summary>The one bounds check: every read of the ELF reader goes through <see cref="Read"/>.</summary>
internal sealed class BoundedSource(IByteSource inner, long start, long length)
{
    public long Length { get; } = Math.Max(0, Math.Min(length, inner.Length - start));

    public void Read(long offset, Span<byte> buffer)
    {
        Check(offset, buffer.Length);
        int n = inner.ReadAt(start + offset, buffer);
        if (n != buffer.Length)
            throw new ElfFormatException(ElfReadErrorKind.Truncated, $"short read at offset 0x{offset:x}", offset);
    }

    /// <summary>Reads <paramref name="size"/> bytes into a new array, checking the range before allocating.</summary>
    public byte[] ReadArray(long offset, long size)
    {
        Check(offset, size);
        var buffer = new byte[size];
        Read(offset, buffer);
        return buffer;
    }

    /// <summary>Throws unless [OFFSET, OFFSET+SIZE) lies inside the source: before a buffer is sized by it.</summary>
    public void Check(long offset, long size)
    {
        // Overflow-safe: never computes offset + size.
        if (offset < 0 || size < 0 || size > Length || offset > Length - size) throw PastEnd(offset, size, Length);
    }

    public static ElfFormatException PastEnd(long offset, long size, long length) =>
        new(ElfReadErrorKind.Truncated,
            $"needs {size} bytes at offset 0x{offset:x}, past the end of the {length}-byte file", offset);

    /// <summary>An ELF offset field as a file offset; one past long.MaxValue is malformed, not a wrap.</summary>
    public static long Offset(ulong value) =>
        value > long.MaxValue
            ? throw new ElfFormatException(ElfReadErrorKind.Malformed, $"offset 0x{value:x} is out of range", null)
            : (long)value;
}

/// <summary>Internal to the reader; converted to <see cref="ElfReadError"/> at the public edge.</summary>
internal sealed class ElfFormatException(ElfReadErrorKind kind, string message, long? offset) : Exception(message)
{
    public ElfReadErrorKind Kind { get; } = kind;
    public long? Offset { get; } = offset;
}
