using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NativeLinkGuard;

internal enum FileStatType { Regular, Directory, Other }

/// <summary>What one statx(2) says about a path (symlinks followed).</summary>
internal readonly record struct FileStat(FileStatType Type, long Size, long MtimeSeconds, uint DevMajor, uint DevMinor,
    ulong Inode, uint MtimeNanoseconds = 0)
{
    public (uint, uint, ulong) Identity => (DevMajor, DevMinor, Inode);

    /// <summary>"major:minor:inode": ld.so's same-file test, as text.</summary>
    public string DeviceInode => $"{DevMajor}:{DevMinor}:{Inode}";
}

/// <summary>One readdir(3) entry: its name and d_type (DT_UNKNOWN 0, DT_DIR 4, DT_REG 8, DT_LNK 10).</summary>
internal readonly record struct DirectoryEntry(string Name, byte Type)
{
    public const byte Unknown = 0, Dir = 4, Regular = 8, Link = 10;
}

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

    [DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int FadviseNative(int fd, long offset, long length, int advice);

    private const int POSIX_FADV_RANDOM = 1;

    /// <summary>
    /// Opens a file for reading without ever blocking: a FIFO named like a library would block a plain open until
    /// a writer appears. With O_NONBLOCK it opens at once and is then refused as not seekable: a clean IOException.
    /// </summary>
    public static SafeFileHandle OpenForRead(string path) => OpenForRead(path, out _);

    /// <summary><see cref="OpenForRead(string)"/>, with the file's length from the same statx.</summary>
    public static SafeFileHandle OpenForRead(string path, out long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete, FileOptions.RandomAccess);
            length = RandomAccess.GetLength(h);
            return h;
        }
        int fd = Open(path);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // open() succeeds on a directory, a FIFO (O_NONBLOCK) and a socket: one statx of the descriptor tells them
        // apart (the managed attribute and length queries took three fstats, an lseek and a geteuid per file).
        var st = Statx(fd, "", AT_EMPTY_PATH, out _, out int mode);
        if (st is null)
        {
            length = RandomAccess.GetLength(handle);
            NoReadahead(fd, length);
            return handle;
        }
        string? refused = st.Value.Type == FileStatType.Directory ? "Is a directory"
            : (mode & 0xF000) is 0x1000 or 0xC000 ? "not a regular file (a FIFO or socket)" : null;
        if (refused is not null)
        {
            handle.Dispose();
            throw new IOException($"{path}: {refused}");
        }
        length = st.Value.Size;
        NoReadahead(fd, length);
        return handle;
    }

    // Readahead reads at most this much around a first read (the kernel's default window): a file no longer than
    // it costs the page cache nothing more with readahead on, and one fadvise call per file less.
    private const long ReadaheadWindow = 128 << 10;

    // Our reads are few and scattered: no readahead (what FileOptions.RandomAccess asks for), so a 1 GiB library costs
    // the page cache only the pages actually read.
    private static void NoReadahead(int fd, long length)
    {
        if (length > ReadaheadWindow) _ = FadviseNative(fd, 0, 0, POSIX_FADV_RANDOM);
    }

    /// <summary>
    /// Opens a file that a statx of PATH just found to be a regular file of LENGTH bytes (the file cache reads each
    /// file after one): no second statx. O_NONBLOCK still keeps an open from blocking if the path was replaced by a
    /// FIFO since; a FIFO then reads as empty.
    /// </summary>
    public static SafeFileHandle OpenRegularFileForRead(string path, long length)
    {
        if (!OperatingSystem.IsLinux()) return OpenForRead(path, out _);
        int fd = Open(path);
        NoReadahead(fd, length);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    // open(2) for reading, never blocking; errors as the managed file APIs raise them.
    private static int Open(string path)
    {
        // An empty name or one with a NUL byte (a hostile thin-archive member name) is an I/O error like any other.
        if (path.Length == 0 || path.Contains('\0'))
            throw new IOException($"{path.Replace('\0', '?')}: invalid file name");
        int fd = OpenNative(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string why = errno switch
            {
                2 => "No such file or directory",
                13 => "Permission denied",
                20 => "Not a directory",
                21 => "Is a directory",
                40 => "Too many levels of symbolic links",
                _ => $"errno {errno}",
            };
            if (errno == 13) throw new UnauthorizedAccessException($"{path}: {why}");
            throw errno == 2 ? new FileNotFoundException($"{path}: {why}", path) : new IOException($"{path}: {why}");
        }
        return fd;
    }

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static extern nint PReadNative(int fd, ref byte buffer, nint count, long offset);

    /// <summary>pread(2) straight into BUFFER: .NET's RandomAccess.Read
    /// asks lseek whether each new handle can seek.</summary>
    public static int PRead(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        if (!OperatingSystem.IsLinux() || buffer.IsEmpty) return RandomAccess.Read(handle, buffer, offset);
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            nint n;
            do n = PReadNative((int)handle.DangerousGetHandle(),
                ref MemoryMarshal.GetReference(buffer), buffer.Length, offset);
            while (n < 0 && Marshal.GetLastPInvokeError() == 4); // EINTR
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == 29) return 0; // ESPIPE: a device without positional reads reads as empty
                throw new IOException($"read failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            return (int)n;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [DllImport("libc", EntryPoint = "opendir", SetLastError = true)]
    private static extern IntPtr OpenDirNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static extern IntPtr ReadDirNative(IntPtr dir);

    [DllImport("libc", EntryPoint = "closedir")]
    private static extern int CloseDirNative(IntPtr dir);

    // struct dirent on 64-bit Linux (glibc and musl alike): d_ino, d_off, d_reclen, d_type, then d_name.
    private const int DirentTypeOffset = 18, DirentNameOffset = 19;

    /// <summary>
    /// The entry names of DIR straight from readdir(3), without "." and "..", and without the stat per symlink that
    /// .NET's enumerator makes; stops after MAX names. Null when DIR cannot be opened, or where this is not 64-bit
    /// Linux (callers then list it with the managed API).
    /// </summary>
    public static List<string>? ReadDirectory(string dir, int max) => ReadDirectory(dir, max, static (_, name) => name);

    /// <summary>
    /// Like <see cref="ReadDirectory(string, int)"/>, with each entry's d_type, so a caller that wants files only
    /// stats just the links (and DT_UNKNOWN entries) it would keep.
    /// </summary>
    public static List<DirectoryEntry>? ReadDirectoryEntries(string dir, int max) =>
        ReadDirectory(dir, max, static (e, name) => new DirectoryEntry(name, Marshal.ReadByte(e + DirentTypeOffset)));

    // readdir(3) over DIR without "." and "..", one MAKE(dirent, name) per entry, at most MAX + 1 of them.
    private static List<T>? ReadDirectory<T>(string dir, int max, Func<IntPtr, string, T> make)
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8 || dir.Contains('\0')) return null;
        IntPtr d = OpenDirNative(dir);
        if (d == IntPtr.Zero) return null;
        try
        {
            var entries = new List<T>();
            for (IntPtr e = ReadDirNative(d); e != IntPtr.Zero && entries.Count <= max; e = ReadDirNative(d))
            {
                string? name = Marshal.PtrToStringUTF8(e + DirentNameOffset);
                if (name is null or "." or "..") continue;
                entries.Add(make(e, name));
            }
            return entries;
        }
        finally
        {
            CloseDirNative(d);
        }
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatxNative(int dirfd,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);

    private const int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000;
    private const uint STATX_BASIC_STATS = 0x7ff;

    /// <summary>
    /// One statx(2), following symlinks: type, size, mtime and the file's identity (device, inode) — what the file
    /// caches key on and what ld.so compares to tell two paths of one file apart. Null when it does not exist or
    /// cannot be reached (and on systems without statx, where callers fall back to managed calls).
    /// </summary>
    public static FileStat? Stat(string path) => Stat(path, out _);

    // errno: 0, or why there is no answer (2 ENOENT, 13 EACCES, 20 ENOTDIR, 40 ELOOP; -1 no statx).
    public static FileStat? Stat(string path, out int errno) => Statx(path, 0, out errno);

    /// <summary>statx(2) of the path itself: a symlink is <see cref="FileStatType.Other"/>, never its target.</summary>
    public static FileStat? LinkStat(string path) => Statx(path, AT_SYMLINK_NOFOLLOW, out _);

    public static FileStat? LinkStat(string path, out int errno) => Statx(path, AT_SYMLINK_NOFOLLOW, out errno);

    private const int AT_SYMLINK_NOFOLLOW = 0x100;

    private static FileStat? Statx(string path, int flags, out int errno)
    {
        if (path.Length == 0 || path.Contains('\0')) { errno = -1; return null; }
        return Statx(AT_FDCWD, path, flags, out errno, out _);
    }

    private static FileStat? Statx(int dirfd, string path, int flags, out int errno, out int mode)
    {
        errno = -1;
        mode = 0;
        if (!OperatingSystem.IsLinux()) return null;
        Span<byte> b = stackalloc byte[256];
        try
        {
            if (StatxNative(dirfd, path, flags, STATX_BASIC_STATS, ref MemoryMarshal.GetReference(b)) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        errno = 0;
        // struct statx has one layout on every architecture (little-endian hosts assumed, as everywhere here).
        mode = BitConverter.ToUInt16(b[28..]);
        return new FileStat(
            (mode & 0xF000) switch
            {
                0x8000 => FileStatType.Regular,
                0x4000 => FileStatType.Directory,
                _ => FileStatType.Other,
            },
            BitConverter.ToInt64(b[40..]), BitConverter.ToInt64(b[112..]),
            BitConverter.ToUInt32(b[136..]), BitConverter.ToUInt32(b[140..]), BitConverter.ToUInt64(b[32..]),
            BitConverter.ToUInt32(b[120..]));
    }

    /// <summary>
    /// "device:inode:size:mtime.nanoseconds" of PATH (symlinks followed) from one statx(2): what a cache entry about a
    /// binary is keyed on, so a rebuilt or replaced binary (even within the same second) misses. Null when it
    /// cannot be reached or statx is missing.
    /// </summary>
    public static string? IdentityKey(string path) => Stat(path) is { } st
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{st.DevMajor}.{st.DevMinor}:{st.Inode}:{st.Size}:{st.MtimeSeconds}.{st.MtimeNanoseconds:D9}")
        : null;

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
