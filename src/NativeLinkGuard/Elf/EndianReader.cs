using System.Buffers.Binary;

namespace NativeLinkGuard.Elf;

/// <summary>Byte order settled once, at identification.</summary>
internal readonly record struct EndianReader(bool BigEndian)
{
    public ushort U16(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b)
        : BinaryPrimitives.ReadUInt16LittleEndian(b);
    public uint U32(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b)
        : BinaryPrimitives.ReadUInt32LittleEndian(b);
    public ulong U64(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b)
        : BinaryPrimitives.ReadUInt64LittleEndian(b);
    public long I64(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(b)
        : BinaryPrimitives.ReadInt64LittleEndian(b);
    public int I32(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b)
        : BinaryPrimitives.ReadInt32LittleEndian(b);
}
