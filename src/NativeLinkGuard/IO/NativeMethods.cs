using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NativeLinkGuard;

/// <summary>The few libc calls .NET has no managed equivalent for.</summary>
internal static partial class NativeMethods
{
    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPathNative(IntPtr path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr p);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    private const int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000; // same values on x86-64 and aarch64 Linux

    /// <summary>
    /// Opens a file for reading without ever blocking: a FIFO named like a library would block a plain open until
    /// a writer appears. With O_NONBLOCK it opens at once and is then refused as not seekable: a clean IOException.
    /// </summary>
    public static SafeFileHandle OpenForRead(string path)
    {
        if (!OperatingSystem.IsLinux())
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.RandomAccess);
        if (path.Length == 0 || path.Contains('\0')) throw new ArgumentException("invalid path", nameof(path));
        int fd = OpenNative(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string why = errno switch { 2 => "No such file or directory", 13 => "Permission denied", 20 => "Not a directory", 21 => "Is a directory", 40 => "Too many levels of symbolic links", _ => $"errno {errno}" };
            if (errno == 13) throw new UnauthorizedAccessException($"{path}: {why}");
            throw errno == 2 ? new FileNotFoundException($"{path}: {why}", path) : new IOException($"{path}: {why}");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Directory.Exists(path)) { handle.Dispose(); throw new IOException($"{path}: Is a directory"); }
        try { RandomAccess.GetLength(handle); }
        catch (NotSupportedException)
        {
            handle.Dispose();
            throw new IOException($"{path}: not a regular file (a FIFO or socket)");
        }
        return handle;
    }

    /// <summary>Resolves every symlink component; null when the path does not exist or on a loop.</summary>
    public static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return Path.GetFullPath(path);
        IntPtr p = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            IntPtr r = RealPathNative(p, IntPtr.Zero);
            if (r == IntPtr.Zero) return null;
            try { return Marshal.PtrToStringUTF8(r); }
            finally { Free(r); }
        }
        finally
        {
            Marshal.FreeCoTaskMem(p);
        }
    }
}
