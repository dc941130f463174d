using System.Reflection.Metadata;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// One decoded IL instruction: its offset, opcode (two-byte opcodes as 0xFExx) and operand (a token, a constant, a
/// branch delta).
/// </summary>
internal readonly record struct IlInstruction(int Offset, int Opcode, int Operand);

/// <summary>
/// A method body's instructions and the offsets a branch or switch jumps to (where straight-line reasoning stops).
/// </summary>
internal sealed record IlBody(List<IlInstruction> Instructions, HashSet<int> BranchTargets);

/// <summary>Decodes a method body into instructions; only operand sizes matter here (ECMA-335 III).</summary>
internal static class IlInstructions
{
    public static IlBody Decode(BlobReader il)
    {
        var list = new List<IlInstruction>();
        var targets = new HashSet<int>();
        while (il.RemainingBytes > 0)
        {
            int offset = il.Offset;
            int op = il.ReadByte();
            if (op == 0xFE)
            {
                if (il.RemainingBytes < 1) break;
                op = 0xFE00 | il.ReadByte();
            }
            int size = OperandSize(op);
            if (size < 0 || il.RemainingBytes < Math.Max(size, 0)) break;
            int operand = 0;
            if (op == 0x45)
            {
                // switch: a count, then that many 4-byte targets
                if (il.RemainingBytes < 4) break;
                uint n = il.ReadUInt32();
                if ((ulong)il.RemainingBytes < n * 4UL) break;
                int next = il.Offset + (int)(n * 4);
                for (uint k = 0; k < n; k++) targets.Add(next + il.ReadInt32());
            }
            else if (size == 4) operand = il.ReadInt32();
            else if (size == 2) operand = il.ReadUInt16();
            else if (size == 1) operand = il.ReadByte();
            else if (size == 8) il.Offset += 8;
            // Short branches (0x2B-0x37, leave.s) take a signed byte; long ones (0x38-0x44, leave) an int32.
            if (op is >= 0x2B and <= 0x37 or 0xDE) targets.Add(il.Offset + (sbyte)operand);
            else if (op is >= 0x38 and <= 0x44 or 0xDD) targets.Add(il.Offset + operand);
            list.Add(new IlInstruction(offset, op, operand));
        }
        return new IlBody(list, targets);
    }

    private static int OperandSize(int op) => op switch
    {
        >= 0x0E and <= 0x13 or 0x1F or >= 0x2B and <= 0x37 or 0xDE => 1,
        0x20 or 0x22 or 0x27 or 0x28 or 0x29 or >= 0x38 and <= 0x44 => 4,
        0x21 or 0x23 => 8,
        0x45 => 0,
        0x6F or 0x70 or 0x71 or 0x72 or 0x73 or 0x74 or 0x75 or 0x79 or >= 0x7B and <= 0x81 or 0x8C or 0x8D or 0x8F
            or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0 or 0xDD => 4,
        0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C => 4,
        >= 0xFE09 and <= 0xFE0E => 2,
        0xFE12 or 0xFE19 => 1,
        >= 0xFE00 => 0,
        _ => 0,
    };
}
