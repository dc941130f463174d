using System.Runtime.InteropServices;

namespace NativeLinkGuard;

/// <summary>One readdir(3) entry: its name and d_type (DT_UNKNOWN 0, DT_DIR 4, DT_REG 8, DT_LNK 10).</summary>
internal readonly record struct DirectoryEntry(string Name, byte Type)
{
    public const byte Unknown = 0, Dir = 4, Regular = 8, Link = 10;
}

internal static partial class NativeMethods
{
    private const int DirentTypeOffset = 18;

    /// <summary>
    /// Like <see cref="ReadDirectory"/>, with each entry's d_type, so a caller that wants files only stats just the
    /// links (and DT_UNKNOWN entries) it would keep. Null when DIR cannot be opened or this is not 64-bit Linux.
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
}

internal static partial class NativeMethods
{
    /// <summary>
    /// "device:inode:size:mtime.nanoseconds" of PATH (symlinks followed) from one statx(2): what a cache entry about a
    /// binary is keyed on, so a rebuilt or replaced binary (even within the same second) misses. Null when it
    /// cannot be reached or statx is missing.
    /// </summary>
    public static string? IdentityKey(string path)
    {
        if (!OperatingSystem.IsLinux() || path.Length == 0 || path.Contains('\0')) return null;
        Span<byte> b = stackalloc byte[256];
        try
        {
            if (StatxNative(AT_FDCWD, path, 0, STATX_BASIC_STATS, ref MemoryMarshal.GetReference(b)) != 0) return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return string.Create(inv, $"{BitConverter.ToUInt32(b[136..])}.{BitConverter.ToUInt32(b[140..])}:{BitConverter.ToUInt64(b[32..])}:{BitConverter.ToInt64(b[40..])}:{BitConverter.ToInt64(b[112..])}.{BitConverter.ToUInt32(b[120..]):D9}");
    }
}
