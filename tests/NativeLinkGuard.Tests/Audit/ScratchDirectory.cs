using System.Runtime.InteropServices;

namespace NativeLinkGuard.Tests.Audit;

/// <summary>
/// A throw-away copy of a library directory that keeps what ldconfig and the audit look at: regular files are hard
/// links where the file system allows (same device and inode, so "is this the same file" answers as in the original;
/// a byte copy otherwise), symlinks keep their targets, a relative target with a '/' is made absolute so that it still
/// leads where it led. Subdirectories become empty ones (ldconfig does not descend; only their names count). Nothing
/// in the original is ever written.
/// </summary>
public static class ScratchDirectory
{
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int HardLink([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    public static string Copy(string dir)
    {
        string real = NativeMethods.RealPath(dir) ?? dir;
        string scratch = Path.Combine(Path.GetTempPath(), "nlg-scratch-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(scratch);
        foreach (var e in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            string to = Path.Combine(scratch, e.Name);
            if (e.LinkTarget is { } t)
                File.CreateSymbolicLink(to, t.StartsWith('/') || !t.Contains('/') ? t : Path.GetFullPath(Path.Combine(real, t)));
            else if (e is DirectoryInfo) Directory.CreateDirectory(to);
            else if (HardLink(e.FullName, to) != 0 && IsRegular(e)) File.Copy(e.FullName, to);
        }
        return scratch;
    }

    /// <summary>A byte-for-byte copy, links kept as they are (cp -a): for directories the tests break and fix.</summary>
    public static string CopyPreservingLinks(string dir)
    {
        string scratch = Path.Combine(Path.GetTempPath(), "nlg-scratch-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(scratch);
        foreach (var e in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            string to = Path.Combine(scratch, e.Name);
            if (e.LinkTarget is { } t) File.CreateSymbolicLink(to, t);
            else if (e is DirectoryInfo) Directory.CreateDirectory(to);
            else if (IsRegular(e)) File.Copy(e.FullName, to); // never a FIFO: copying one would block
        }
        return scratch;
    }

    private static bool IsRegular(FileSystemInfo e) => NativeMethods.LinkStat(e.FullName) is { Type: FileStatType.Regular };

    public static void Delete(string scratch)
    {
        if (!Path.GetFileName(scratch).StartsWith("nlg-scratch-", StringComparison.Ordinal)) throw new ArgumentException(scratch);
        Directory.Delete(scratch, recursive: true); // removes the links and hard links themselves, never what they lead to
    }
}
