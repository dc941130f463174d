using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace NativeLinkGuard.Elf;

/// <summary>
/// Reads through <see cref="RandomAccess"/> on an unbuffered handle. Deliberately not a memory map: one touched
/// page of a mapped large file was measured to pull 16 MiB into the page cache through readahead.
/// Small reads are served from a few cached 4 KiB blocks: the ELF header, the program headers and nearby strings
/// usually share a page, which the kernel reads whole anyway, so one pread replaces several and no extra page is
/// touched.
/// </summary>
public sealed class FileByteSource : IByteSource, IDisposable
{
    private const int BlockSize = 4096;
    private const int Blocks = 4;
    private readonly SafeFileHandle _handle;
    // Inline, not arrays: a run opens thousands of files, and three small arrays each were garbage.
    private BlockOffsets _blockOffsets;
    private BlockLengths _blockLengths;
    private BlockData _blocks;
    private int _next;

    [InlineArray(Blocks)]
    private struct BlockOffsets { private long _element; }

    [InlineArray(Blocks)]
    private struct BlockLengths { private int _element; }

    [InlineArray(Blocks)]
    private struct BlockData { private byte[]? _element; }

    public FileByteSource(string path)
    {
        // Never blocks, even on a FIFO named like a library (see NativeMethods.OpenForRead).
        _handle = NativeMethods.OpenForRead(path, out long length);
        Length = length;
        for (int i = 0; i < Blocks; i++) _blockOffsets[i] = -1;
    }

    /// <summary>A regular file of LENGTH bytes by a statx just made (no second one).</summary>
    public FileByteSource(string path, long length)
    {
        _handle = NativeMethods.OpenRegularFileForRead(path, length);
        Length = length;
        for (int i = 0; i < Blocks; i++) _blockOffsets[i] = -1;
    }

    public long Length { get; }

    /// <summary>preads issued so far (benchmarks).</summary>
    public int Reads { get; private set; }

    public int ReadAt(long offset, Span<byte> buffer)
    {
        if (offset < 0) return 0;
        long block = offset / BlockSize * BlockSize;
        if (buffer.Length <= BlockSize && offset + buffer.Length <= block + BlockSize)
        {
            var (data, length) = Block(block);
            int from = (int)(offset - block);
            int n = Math.Max(0, Math.Min(buffer.Length, length - from));
            data.AsSpan(from, n).CopyTo(buffer);
            return n;
        }
        return Direct(offset, buffer);
    }

    private (byte[] Data, int Length) Block(long offset)
    {
        for (int i = 0; i < Blocks; i++)
            if (_blockOffsets[i] == offset) return (_blocks[i]!, _blockLengths[i]);
        int slot = _next;
        _next = (_next + 1) % Blocks;
        // Pooled: a run opens thousands of files, each for a few reads.
        var data = _blocks[slot] ??= System.Buffers.ArrayPool<byte>.Shared.Rent(BlockSize);
        _blockLengths[slot] = Direct(offset, data.AsSpan(0, BlockSize));
        _blockOffsets[slot] = offset;
        return (data, _blockLengths[slot]);
    }

    private int Direct(long offset, Span<byte> buffer)
    {
        int total = 0;
        // Stops at the length the open saw: a read there would only say end of file, one syscall per file.
        while (total < buffer.Length && offset + total < Length)
        {
            int n;
            Reads++;
            try { n = NativeMethods.PRead(_handle, buffer[total..], offset + total); }
            catch (NotSupportedException) { break; } // a FIFO or socket: no positional reads, so it reads as empty
            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    public void Dispose()
    {
        _handle.Dispose();
        for (int i = 0; i < Blocks; i++)
        {
            if (_blocks[i] is not { } block) continue;
            _blocks[i] = null!;
            _blockOffsets[i] = -1;
            System.Buffers.ArrayPool<byte>.Shared.Return(block);
        }
    }
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
