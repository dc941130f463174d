using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Symbols;

/// <summary>Counts what a reader really asks for; the symbol
/// benchmark reports it to prove that lookups stay small.</summary>
public sealed class CountingByteSource(IByteSource inner) : IByteSource
{
    public long Length => inner.Length;

    public long BytesRead { get; private set; }

    public int Reads { get; private set; }

    public int ReadAt(long offset, Span<byte> buffer)
    {
        int n = inner.ReadAt(offset, buffer);
        BytesRead += n;
        Reads++;
        return n;
    }
}
