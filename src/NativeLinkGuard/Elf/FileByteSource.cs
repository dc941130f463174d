using Microsoft.Win32.SafeHandles;

namespace NativeLinkGuard.Elf;

/// <summary>
/// Reads through <see cref="RandomAccess"/> on an unbuffered handle. Deliberately not a memory map: one touched
/// page of a mapped large file was measured to pull 16 MiB into the page cache through readahead.
/// </summary>
public sealed class FileByteSource : IByteSource, IDisposable
{
    private readonly SafeFileHandle _handle;

    public FileByteSource(string path)
    {
        // Never blocks, even on a FIFO named like a library (see NativeMethods.OpenForRead).
        _handle = NativeMethods.OpenForRead(path);
        Length = RandomAccess.GetLength(_handle);
    }

    public long Length { get; }

    public int ReadAt(long offset, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n;
            try { n = RandomAccess.Read(_handle, buffer[total..], offset + total); }
            catch (NotSupportedException) { break; } // a FIFO or socket: no positional reads, so it reads as empty

            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>Bytes in memory: synthesized ELF images in tests, fuzzing.</summary>
public sealed class MemoryByteSource(ReadOnlyMemory<byte> bytes) : IByteSource
{
    public long Length => bytes.Length;

    public int ReadAt(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset >= bytes.Length) return 0;
        int n = (int)Math.Min(buffer.Length, bytes.Length - offset);
        bytes.Span.Slice((int)offset, n).CopyTo(buffer);
        return n;
    }
}
