using System.Text;
using NativeLinkGuard.Cli;

namespace NativeLinkGuard.Tests.Cli;

/// <summary>
/// The CLI asks for huge pages over the GC's regions around gen 0 (HugePageHeap). The window it may touch is worked
/// out from /proc/self/maps by HeapWindow; these tests give it real maps (this process's GC heap) and made-up ones
/// that put someone else's mapping, a gap or the end of the reservation within reach.
/// </summary>
public sealed class HugePageHeapTests
{
    private const long MiB = 1L << 20, GiB = 1L << 30, Reach = 8 * MiB;

    [Test]
    public void The_window_over_this_process_s_own_heap_holds_only_the_GC_s_anonymous_memory()
    {
        long probe = HugePageHeap.AddressOfNewObject();
        var window = HeapWindow.Find(File.ReadAllBytes("/proc/self/maps"), probe, Reach);

        Assert.That(window, Is.Not.Null, "the GC's region range around gen 0 was not recognised");
        var (start, end) = window!.Value;
        Assert.That((start % (2 * MiB), end % (2 * MiB)), Is.EqualTo((0L, 0L)));
        Assert.That(start <= probe && probe < end, $"{probe:x} outside {start:x}-{end:x}");
        foreach (string line in MapsOverlapping(start, end))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(f.Length == 5 && f[4] == "0" && f[1] is "rw-p" or "---p", line);
        }
    }

    [Test]
    public void Applied_to_this_process_the_window_is_committed_with_huge_page_advice_and_the_GC_goes_on()
    {
        bool thp = !File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[never]");
        var window = HugePageHeap.Apply();

        Assert.That(window.HasValue, Is.EqualTo(thp), "advised although huge pages are off, or not advised");
        if (window is var (start, end))
        {
            var vmas = SmapsOverlapping(start, end);
            Assert.That(vmas, Is.Not.Empty);
            foreach (var (header, flags) in vmas)
            {
                Assert.That(header, Does.Contain(" rw-p "), "not committed");
                Assert.That(flags.Split(' '), Does.Contain("hg").And.Not.Contain("dd"), header);
            }
        }
        var kept = Enumerable.Range(0, 200_000).Select(i => new int[] { i, -i }).ToList();
        for (int round = 0; round < 3; round++)
        {
            _ = Enumerable.Range(0, 100_000).Select(i => new string('x', i % 64)).ToList();
            GC.Collect();
        }
        Assert.That(kept.Select((a, i) => a[0] == i && a[1] == -i).All(ok => ok), "objects changed under the GC");
    }

    [Test]
    public void Gen_0_inside_a_large_reservation_gets_its_region_and_two_on_each_side()
    {
        long gen0 = 0x7f00_2000_0000;
        string maps = Maps(
            (0x7f00_0000_0000, 0x7f00_1c00_0000, "---p", ""),          // the GC's own tables
            (0x7f00_1c00_0000, 0x7f00_1c01_1000, "rw-p", ""),          // a large-object region's header
            (0x7f00_1c01_1000, gen0, "---p", ""),
            (gen0, gen0 + 0x31_0000, "rw-p", ""),
            (gen0 + 0x31_0000, gen0 + 40 * GiB, "---p", ""),
            (gen0 + 40 * GiB, gen0 + 40 * GiB + 0x1000, "r--p", "/usr/lib/libc.so.6"));

        Assert.That(Find(maps, gen0 + 0x6180), Is.EqualTo((gen0 - Reach, gen0 + 4 * MiB + Reach)));
    }

    [TestCase("r--p", "/usr/lib/libc.so.6", TestName = "A file mapping within reach stops the window")]
    [TestCase("rw-p", "[stack:42]", TestName = "A named mapping within reach stops the window")]
    [TestCase("r-xp", "", TestName = "Anonymous memory of other permissions within reach stops the window")]
    public void Someone_else_s_mapping_within_reach_below_gen_0_leaves_the_heap_alone(string perms, string path)
    {
        // Taken for the GC's, it would join the reservation below it into a run long enough for a window.
        long gen0 = 0x7f00_2000_0000;
        string maps = Maps(
            (gen0 - 512 * MiB, gen0 - 12 * MiB, "---p", ""),
            (gen0 - 12 * MiB, gen0 - 12 * MiB + 4096, perms, path),
            (gen0 - 12 * MiB + 4096, gen0, "---p", ""),
            (gen0, gen0 + MiB, "rw-p", ""),
            (gen0 + MiB, gen0 + 40 * GiB, "---p", ""));

        Assert.That(Find(maps, gen0 + 64), Is.Null);
    }

    [Test]
    public void A_thread_stack_s_guard_page_next_to_the_reservation_is_never_reached()
    {
        // Below the GC's reservation (which starts 5 MiB below gen 0): a thread stack and its guard page, and under
        // them more anonymous memory, all one run. The window would fit in the run and cover the guard page, which
        // made writable would let an overflow run on; it keeps its reach clear of the run's ends, so there is none.
        long gen0 = 0x7f00_2000_0000, guard = gen0 - 6 * MiB - 4096;
        string maps = Maps(
            (gen0 - 12 * MiB, guard, "rw-p", ""),
            (guard, guard + 4096, "---p", ""),
            (guard + 4096, gen0 - 5 * MiB, "rw-p", ""),
            (gen0 - 5 * MiB, gen0, "---p", ""),
            (gen0, gen0 + MiB, "rw-p", ""),
            (gen0 + MiB, gen0 + 40 * GiB, "---p", ""));

        Assert.That(Find(maps, gen0 + 64), Is.Null);
    }

    [Test]
    public void A_gap_within_reach_leaves_the_heap_alone()
    {
        long gen0 = 0x7f00_2000_0000;
        string maps = Maps(
            (gen0 - 64 * MiB, gen0 - 4 * MiB, "---p", ""),
            (gen0 - 4 * MiB + 4096, gen0, "---p", ""),
            (gen0, gen0 + MiB, "rw-p", ""),
            (gen0 + MiB, gen0 + 40 * GiB, "---p", ""));

        Assert.That(Find(maps, gen0 + 64), Is.Null);
    }

    [Test]
    public void Without_a_reservation_of_a_GiB_the_memory_is_not_taken_for_the_GC_s()
    {
        // A malloc arena: 64 MiB reserved, the first part committed.
        long arena = 0x7f00_2000_0000;
        string maps = Maps(
            (arena - 64 * MiB, arena, "---p", ""),
            (arena, arena + 0x21000, "rw-p", ""),
            (arena + 0x21000, arena + 64 * MiB, "---p", ""));

        Assert.That(Find(maps, arena + 64), Is.Null);
    }

    [TestCase("", TestName = "Empty maps give no window")]
    [TestCase("garbage\n-\nzz-yy rw-p 0 0 0\n7f-\n\n", TestName = "Malformed maps give no window")]
    public void Maps_that_do_not_describe_the_probe_give_no_window(string maps) =>
        Assert.That(Find(maps, 0x7f00_2000_0040), Is.Null);

    [Test]
    public void A_probe_outside_committed_memory_gives_no_window()
    {
        long gen0 = 0x7f00_2000_0000;
        string maps = Maps((gen0 - 64 * MiB, gen0, "---p", ""), (gen0, gen0 + 40 * GiB, "---p", ""));
        Assert.That(Find(maps, gen0 + 64), Is.Null);
    }

    private static (long, long)? Find(string maps, long probe) =>
        HeapWindow.Find(Encoding.ASCII.GetBytes(maps), probe, Reach);

    private static string Maps(params (long Start, long End, string Perms, string Path)[] lines) =>
        string.Concat(lines.Select(l =>
            $"{l.Start:x}-{l.End:x} {l.Perms} 00000000 {(l.Path.StartsWith('/') ? "fe:00 1234" : "00:00 0")}" +
            (l.Path.Length > 0 ? $"                   {l.Path}" : " ") + "\n"));

    private static IEnumerable<string> MapsOverlapping(long start, long end) =>
        File.ReadAllLines("/proc/self/maps").Where(l => Overlaps(l, start, end));

    private static bool Overlaps(string line, long start, long end)
    {
        string[] range = line[..line.IndexOf(' ')].Split('-');
        return Convert.ToInt64(range[0], 16) < end && Convert.ToInt64(range[1], 16) > start;
    }

    /// <summary>Each mapping of /proc/self/smaps overlapping START..END: its header line and its VmFlags.</summary>
    private static List<(string Header, string Flags)> SmapsOverlapping(long start, long end)
    {
        var found = new List<(string, string)>();
        string? header = null;
        foreach (string line in File.ReadAllLines("/proc/self/smaps"))
        {
            string first = line.Split(' ')[0];
            if (first.Contains('-') && !first.Contains(':'))
                header = Overlaps(line, start, end) ? line : null;
            else if (header is not null && line.StartsWith("VmFlags:", StringComparison.Ordinal))
                found.Add((header, line["VmFlags:".Length..].Trim()));
        }
        return found;
    }
}
