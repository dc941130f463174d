namespace NativeLinkGuard.Elf;

/// <summary>
/// Positional, bounded access to the bytes of a file. The ELF reader only ever asks for the few ranges it
/// needs (header, program headers, dynamic section, strings), so a 1 GiB library costs a few pages.
/// </summary>
public interface IByteSource
{
    long Length { get; }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; returns the bytes read (short only at
    /// end of file).</summary>
    int ReadAt(long offset, Span<byte> buffer);
}
