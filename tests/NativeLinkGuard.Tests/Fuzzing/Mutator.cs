using System.Buffers.Binary;

namespace NativeLinkGuard.Tests.Fuzzing;

/// <summary>
/// A small structure-aware mutation engine (AFL's havoc stage in spirit): bit flips, interesting integers of every
/// width in both byte orders, arithmetic on fields, block deletes, inserts, duplicates and splices, truncation, and
/// dictionary tokens. Three of four positions fall in the target's hot regions when it has any.
/// </summary>
internal sealed class Mutator(Random rng)
{
    private static readonly long[] s_interesting =
    [
        0, 1, 2, 4, 8, 16, 32, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
        0xffffffff, 0x100000000, long.MaxValue, long.MinValue, -1, -2, -16, 1 << 20, 1 << 30,
    ];

    public byte[] Mutate(byte[] seed, IReadOnlyList<(int Start, int Length)> hot, IReadOnlyList<byte[]> dictionary, IReadOnlyList<byte[]> others)
    {
        byte[] b = seed;
        int rounds = 1 << rng.Next(0, 5); // 1..16 stacked mutations
        for (int i = 0; i < rounds; i++) b = Once(b, hot, dictionary, others);
        return b;
    }

    private int Position(int length, IReadOnlyList<(int Start, int Length)> hot)
    {
        if (length == 0) return 0;
        if (hot.Count > 0 && rng.Next(4) != 0)
        {
            var (s, l) = hot[rng.Next(hot.Count)];
            if (s < length) return Math.Min(length - 1, s + rng.Next(Math.Max(1, l)));
        }
        return rng.Next(length);
    }

    private byte[] Once(byte[] b, IReadOnlyList<(int Start, int Length)> hot, IReadOnlyList<byte[]> dictionary, IReadOnlyList<byte[]> others)
    {
        int op = rng.Next(12);
        if (b.Length == 0 && op < 8) op = 8;
        int at = Position(b.Length, hot);
        switch (op)
        {
            case 0: // bit flip
                b = Copy(b); b[at] ^= (byte)(1 << rng.Next(8)); return b;
            case 1: // random byte
                b = Copy(b); b[at] = (byte)rng.Next(256); return b;
            case 2 or 3: // interesting integer, 1/2/4/8 bytes, either byte order
            {
                b = Copy(b);
                long v = rng.Next(3) == 0 ? b.Length + rng.Next(-8, 9) : s_interesting[rng.Next(s_interesting.Length)];
                WriteInt(b, at, v, 1 << rng.Next(4), rng.Next(2) == 0);
                return b;
            }
            case 4: // arithmetic on a field
            {
                b = Copy(b);
                int width = 1 << rng.Next(1, 4);
                if (at + width > b.Length) return b;
                long v = ReadInt(b, at, width) + rng.Next(-35, 36);
                WriteInt(b, at, v, width, little: true);
                return b;
            }
            case 5: // delete a block
            {
                int len = Math.Min(b.Length - at, 1 + rng.Next(rng.Next(2) == 0 ? 8 : 256));
                return [.. b.AsSpan(0, at), .. b.AsSpan(at + len)];
            }
            case 6: // duplicate a block
            {
                int len = Math.Min(b.Length - at, 1 + rng.Next(64));
                int to = rng.Next(b.Length + 1);
                return [.. b.AsSpan(0, to), .. b.AsSpan(at, len), .. b.AsSpan(to)];
            }
            case 7: // overwrite with a block from elsewhere in the input
            {
                b = Copy(b);
                int from = rng.Next(b.Length);
                int len = Math.Min(Math.Min(b.Length - at, b.Length - from), 1 + rng.Next(32));
                b.AsSpan(from, len).ToArray().CopyTo(b.AsSpan(at));
                return b;
            }
            case 8 or 9: // insert a dictionary token or random bytes
            {
                byte[] token = dictionary.Count > 0 && rng.Next(4) != 0 ? dictionary[rng.Next(dictionary.Count)] : RandomBytes(1 + rng.Next(8));
                int to = b.Length == 0 ? 0 : rng.Next(b.Length + 1);
                if (rng.Next(2) == 0 && to + token.Length <= b.Length)
                {
                    b = Copy(b);
                    token.CopyTo(b.AsSpan(to));
                    return b;
                }
                return [.. b.AsSpan(0, to), .. token, .. b.AsSpan(to)];
            }
            case 10: // truncate
                return b[..rng.Next(b.Length + 1)];
            default: // splice with another seed
            {
                if (others.Count == 0) return b;
                var o = others[rng.Next(others.Count)];
                int cut = rng.Next(b.Length + 1), ocut = rng.Next(o.Length + 1);
                return [.. b.AsSpan(0, cut), .. o.AsSpan(ocut)];
            }
        }
    }

    private byte[] RandomBytes(int n)
    {
        var r = new byte[n];
        rng.NextBytes(r);
        return r;
    }

    private static byte[] Copy(byte[] b) => (byte[])b.Clone();

    private static long ReadInt(byte[] b, int at, int width) => width switch
    {
        2 => BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(at)),
        4 => BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(at)),
        _ => BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(at)),
    };

    private static void WriteInt(byte[] b, int at, long v, int width, bool little)
    {
        if (at + width > b.Length) width = b.Length - at;
        for (int i = 0; i < width; i++)
        {
            int shift = 8 * (little ? i : width - 1 - i);
            b[at + i] = (byte)(v >> shift);
        }
    }
}
