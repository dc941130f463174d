using System.Buffers.Binary;
using System.Text;

namespace NativeLinkGuard.Tests.Elf;

/// <summary>
/// Synthesizes minimal ELF shared objects in either class and byte order: header, PT_LOAD (vaddr ≠ offset, so the
/// DT_STRTAB mapping is exercised), PT_DYNAMIC, a dynamic section and its string table, and optionally section
/// headers (SHT_DYNAMIC + linked SHT_STRTAB) for the no-PT_DYNAMIC fallback.
/// </summary>
public sealed class ElfTestWriter
{
    public bool Is64 { get; init; } = true;
    public bool BigEndian { get; init; }
    public ushort Machine { get; init; } = 62;
    public ushort Type { get; init; } = 3;
    public string? Soname { get; init; }
    public string[] Needed { get; init; } = [];
    public string? Rpath { get; init; }
    public string? Runpath { get; init; }
    public ulong Flags1 { get; init; }
    public bool WithProgramDynamic { get; init; } = true;
    public bool WithSections { get; init; }
    public ulong LoadVaddr { get; init; } = 0x10000;

    public byte[] Build()
    {
        int ehsize = Is64 ? 64 : 52, phent = Is64 ? 56 : 32, shent = Is64 ? 64 : 40, dynent = Is64 ? 16 : 8;
        var strtab = new MemoryStream();
        strtab.WriteByte(0);
        int Str(string s) { int off = (int)strtab.Position; var b = Encoding.UTF8.GetBytes(s); strtab.Write(b); strtab.WriteByte(0); return off; }
        var dyn = new List<(long, ulong)>();
        foreach (var n in Needed) dyn.Add((1, (ulong)Str(n)));
        if (Soname is not null) dyn.Add((14, (ulong)Str(Soname)));
        if (Rpath is not null) dyn.Add((15, (ulong)Str(Rpath)));
        if (Runpath is not null) dyn.Add((29, (ulong)Str(Runpath)));
        if (Flags1 != 0) dyn.Add((0x6ffffffb, Flags1));
        int phnum = WithProgramDynamic ? 2 : 1;
        int phoff = ehsize;
        int strOff = phoff + phnum * phent;
        byte[] str = strtab.ToArray();
        int dynOff = Align(strOff + str.Length, 8);
        dyn.Add((5, LoadVaddr + (ulong)strOff)); // DT_STRTAB is an address
        dyn.Add((10, (ulong)str.Length));
        dyn.Add((0, 0));
        int dynSize = dyn.Count * dynent;
        int shoff = Align(dynOff + dynSize, 8);
        int shnum = WithSections ? 3 : 0;
        int total = shoff + shnum * shent;
        var b = new byte[total];

        b[0] = 0x7f; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F';
        b[4] = (byte)(Is64 ? 2 : 1); b[5] = (byte)(BigEndian ? 2 : 1); b[6] = 1;
        U16(b, 16, Type); U16(b, 18, Machine); U32(b, 20, 1);
        if (Is64) { U64(b, 32, (ulong)phoff); U64(b, 40, (ulong)(WithSections ? shoff : 0)); U16(b, 52, (ushort)ehsize); U16(b, 54, (ushort)phent); U16(b, 56, (ushort)phnum); U16(b, 58, (ushort)shent); U16(b, 60, (ushort)shnum); }
        else { U32(b, 28, (uint)phoff); U32(b, 32, (uint)(WithSections ? shoff : 0)); U16(b, 40, (ushort)ehsize); U16(b, 42, (ushort)phent); U16(b, 44, (ushort)phnum); U16(b, 46, (ushort)shent); U16(b, 48, (ushort)shnum); }

        void Ph(int i, uint type, ulong off, ulong vaddr, ulong size)
        {
            int p = phoff + i * phent;
            U32(b, p, type);
            if (Is64) { U64(b, p + 8, off); U64(b, p + 16, vaddr); U64(b, p + 24, vaddr); U64(b, p + 32, size); U64(b, p + 40, size); }
            else { U32(b, p + 4, (uint)off); U32(b, p + 8, (uint)vaddr); U32(b, p + 12, (uint)vaddr); U32(b, p + 16, (uint)size); U32(b, p + 20, (uint)size); }
        }
        Ph(0, 1, 0, LoadVaddr, (ulong)total);
        if (WithProgramDynamic) Ph(1, 2, (ulong)dynOff, LoadVaddr + (ulong)dynOff, (ulong)dynSize);

        str.CopyTo(b, strOff);
        for (int i = 0; i < dyn.Count; i++)
        {
            int p = dynOff + i * dynent;
            if (Is64) { U64(b, p, (ulong)dyn[i].Item1); U64(b, p + 8, dyn[i].Item2); }
            else { U32(b, p, (uint)dyn[i].Item1); U32(b, p + 4, (uint)dyn[i].Item2); }
        }
        if (WithSections)
        {
            void Sh(int i, uint type, ulong off, ulong size, uint link)
            {
                int p = shoff + i * shent;
                U32(b, p + 4, type);
                if (Is64) { U64(b, p + 24, off); U64(b, p + 32, size); U32(b, p + 40, link); }
                else { U32(b, p + 16, (uint)off); U32(b, p + 20, (uint)size); U32(b, p + 24, link); }
            }
            Sh(1, 6, (ulong)dynOff, (ulong)dynSize, 2);
            Sh(2, 3, (ulong)strOff, (ulong)str.Length, 0);
        }
        return b;
    }

    private static int Align(int v, int a) => (v + a - 1) / a * a;
    private void U16(byte[] b, int o, ushort v) { if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(o), v); }
    private void U32(byte[] b, int o, uint v) { if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(o), v); }
    private void U64(byte[] b, int o, ulong v) { if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(o), v); }
}
