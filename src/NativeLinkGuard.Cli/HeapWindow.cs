using System.Globalization;

namespace NativeLinkGuard.Cli;

/// <summary>
/// Where <see cref="HugePageHeap"/> may back the managed heap with huge pages: the part of the GC's reservation
/// around a live object, read from <c>/proc/self/maps</c>. Pure (the text in, a range out), so every rule that keeps
/// the advice inside memory the GC owns is here and tested on its own.
/// </summary>
internal static class HeapWindow
{
    public const long HugePage = 2L << 20;

    /// <summary>The GC's basic region (.NET 7 and later, 64-bit): gen 0 fills one, survivors move to others.</summary>
    public const long Region = 4L << 20;

    /// <summary>
    /// A reserved, never-committed anonymous mapping this large is a GC region range (sized from the machine's memory,
    /// tens of GiB); a malloc arena reserves 64 MiB, a thread stack a few.
    /// </summary>
    public const long MinReservation = 1L << 30;

    private enum Kind { Other, Committed, Reserved }

    private readonly record struct Mapping(long Start, long End, Kind Kind);

    /// <summary>
    /// The range, 2 MiB-aligned, that reaches <paramref name="reach"/> bytes below and above the region holding
    /// <paramref name="probe"/>, or null. It must lie inside one gapless run of private anonymous mappings, committed
    /// (<c>rw-p</c>) or reserved (<c>---p</c>), that holds the probe's own committed mapping and a reservation of at
    /// least <see cref="MinReservation"/>, with <paramref name="reach"/> to spare at both ends of the run. Why the
    /// spare: someone else's anonymous mapping (a thread stack and its guard page, which made writable would let an
    /// overflow run on) can join the run only at its ends, next to the GC's: below the GC's tables, hundreds of MiB
    /// below gen 0, or above the region range, GiBs above it. The maps cannot tell whose a mapping is; the distance
    /// can.
    /// </summary>
    public static (long Start, long End)? Find(ReadOnlySpan<byte> maps, long probe, long reach)
    {
        var all = Parse(maps);
        int at = all.FindIndex(m => m.Start <= probe && probe < m.End);
        if (at < 0 || all[at].Kind != Kind.Committed)
            return null;
        int first = at, last = at;
        while (first > 0 && all[first - 1].Kind != Kind.Other && all[first - 1].End == all[first].Start)
            first--;
        while (last + 1 < all.Count && all[last + 1].Kind != Kind.Other && all[last + 1].Start == all[last].End)
            last++;
        bool reserved = false;
        for (int i = first; i <= last; i++)
            reserved |= all[i].Kind == Kind.Reserved && all[i].End - all[i].Start >= MinReservation;
        long region = probe & ~(Region - 1);
        long start = region - reach, end = region + Region + reach;
        if (!reserved || start - reach < all[first].Start || end + reach > all[last].End)
            return null;
        return (start & ~(HugePage - 1), end & ~(HugePage - 1));
    }

    /// <summary>Each line "start-end perms offset dev inode [path]"; anonymous means inode 0 and no path.</summary>
    private static List<Mapping> Parse(ReadOnlySpan<byte> maps)
    {
        var all = new List<Mapping>(128);
        while (!maps.IsEmpty)
        {
            int nl = maps.IndexOf((byte)'\n');
            var line = nl < 0 ? maps : maps[..nl];
            maps = nl < 0 ? default : maps[(nl + 1)..];
            if (Line(line) is { } m)
                all.Add(m);
        }
        return all;
    }

    private static Mapping? Line(ReadOnlySpan<byte> line)
    {
        var range = Field(ref line);
        var perms = Field(ref line);
        Field(ref line); // offset
        Field(ref line); // device
        var inode = Field(ref line);
        int dash = range.IndexOf((byte)'-');
        if (inode.IsEmpty || dash < 0 || !Hex(range[..dash], out long start) || !Hex(range[(dash + 1)..], out long end))
            return null;
        bool anonymous = inode.SequenceEqual("0"u8) && Field(ref line).IsEmpty;
        var kind = !anonymous ? Kind.Other
            : perms.SequenceEqual("rw-p"u8) ? Kind.Committed
            : perms.SequenceEqual("---p"u8) ? Kind.Reserved
            : Kind.Other;
        return new Mapping(start, end, kind);
    }

    /// <summary>The next space-separated field of LINE, which moves past it.</summary>
    private static ReadOnlySpan<byte> Field(ref ReadOnlySpan<byte> line)
    {
        line = line.TrimStart((byte)' ');
        int sp = line.IndexOf((byte)' ');
        var field = sp < 0 ? line : line[..sp];
        line = sp < 0 ? default : line[sp..];
        return field;
    }

    private static bool Hex(ReadOnlySpan<byte> digits, out long value) =>
        long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
