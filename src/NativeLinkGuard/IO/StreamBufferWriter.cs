using System.Buffers;

namespace NativeLinkGuard.IO;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> onto a stream through one fixed buffer, written out whenever a request does not
/// fit: a report of hundreds of megabytes goes out in buffer-sized writes and is never held (a Utf8JsonWriter on a
/// stream would grow its own buffer to the largest piece written between flushes).
/// </summary>
internal sealed class StreamBufferWriter(Stream stream, int size = 1 << 16) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[size];
    private int _count;

    public void Advance(int count) => _count += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Reserve(sizeHint));

    public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Reserve(sizeHint));

    /// <summary>Writes out what was written so far.</summary>
    public void Flush()
    {
        if (_count == 0) return;
        stream.Write(_buffer, 0, _count);
        _count = 0;
    }

    // Where the requested room starts: the buffer is written out first if it lacks the room, and grown only for a
    // single piece larger than itself.
    private int Reserve(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _count >= need) return _count;
        Flush();
        if (_buffer.Length < need) _buffer = new byte[need];
        return 0;
    }
}
