using System.Runtime.InteropServices;

namespace NativeLinkGuard.Cli;

/// <summary>
/// Backs the busy part of the managed heap with 2 MiB pages (Linux transparent huge pages), once, at the start of the
/// command. Why (issue 17): on the VMs measured a first touch of a 4 KiB page costs 10-13 us, and a runtime check of
/// the 1,040-library benchmark tree touched ~1,500 fresh heap pages (gen 0's budget, then the pages each collection
/// copies its survivors into): ~17 ms, a fifth of the run. One 2 MiB page costs about as much as one small one.
/// The GC reserves its region range inaccessible and commits it 64 KiB at a time, so the kernel never sees a whole
/// 2 MiB stretch to back with one page. This commits the regions around gen 0 (<see cref="HeapWindow"/>) in one go,
/// with the GC's own protection and dump flag, so later commits by the GC change nothing, and asks for huge pages
/// there. The stretch gen 0 already started in is collapsed into one page. The GC's objects and its own accounting
/// are untouched (it still commits what it uses, and finds it committed already); a kernel without huge pages (or
/// with them set to "never") makes it a no-op, and no call's failure matters. Peak RSS grows by the pages a run
/// touches whole (text +4 MB, JSON +3 MB on the tree). NATIVELINKGUARD_HUGE_PAGES=0 turns it off.
/// </summary>
internal static class HugePageHeap
{
    /// <summary>Two regions below gen 0's (where its survivors go) and two above (where it goes next).</summary>
    private const long Reach = 2 * HeapWindow.Region;

    private const int PROT_READ_WRITE = 3, MADV_HUGEPAGE = 14, MADV_DODUMP = 17, MADV_COLLAPSE = 25;

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);

    [DllImport("libc", EntryPoint = "mprotect")]
    private static extern int Mprotect(nint address, nuint length, int protection);

    /// <summary>Advises the window around gen 0; returns it, or null where nothing was advised.</summary>
    public static (long Start, long End)? Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("NATIVELINKGUARD_HUGE_PAGES") == "0"
            || !Available())
            return null;
        try
        {
            long probe = AddressOfNewObject();
            if (HeapWindow.Find(File.ReadAllBytes("/proc/self/maps"), probe, Reach) is not var (start, end))
                return null;
            nuint length = (nuint)(end - start);
            if (Mprotect((nint)start, length, PROT_READ_WRITE) != 0)
                return null; // e.g. strict overcommit refusing the charge: the GC commits as it always does
            Madvise((nint)start, length, MADV_DODUMP);
            Madvise((nint)start, length, MADV_HUGEPAGE);
            Madvise((nint)(probe & ~(HeapWindow.HugePage - 1)), (nuint)HeapWindow.HugePage, MADV_COLLAPSE);
            return (start, end);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc to read: nothing is advised, the run is as fast as it was.
            return null;
        }
    }

    /// <summary>"always [madvise] never": huge pages on request unless the bracketed mode is "never".</summary>
    private static bool Available()
    {
        try
        {
            // sysfs says 4096 bytes and gives fewer: read what comes (File.ReadAllBytes expects the whole 4096).
            using var file = File.OpenHandle("/sys/kernel/mm/transparent_hugepage/enabled");
            Span<byte> mode = stackalloc byte[64];
            return mode[..RandomAccess.Read(file, mode, 0)].IndexOf("[never]"u8) < 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Where a new object lies: in gen 0, as the GC allocates small objects there.</summary>
    internal static long AddressOfNewObject()
    {
        var handle = GCHandle.Alloc(new byte[1], GCHandleType.Pinned);
        long address = handle.AddrOfPinnedObject();
        handle.Free();
        return address;
    }
}
