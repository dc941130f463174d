using System.Buffers.Binary;
using System.Text;

namespace NativeLinkGuard.Toolchain;

/// <summary>
/// One entry of /etc/ld.so.cache: a SONAME and the file the loader would use for it. <see cref="Flags"/> says which
/// ABI the file is for (ld.so skips entries of another one, e.g. i386 libraries in an x86-64 process);
/// <see cref="Hwcap"/> is non-zero for entries of glibc-hwcaps subdirectories.
/// </summary>
public sealed record LdSoCacheEntry(string Soname, string Path, int Flags = 0, ulong Hwcap = 0);

/// <summary>
/// Reads glibc's ld.so.cache (the "glibc-ld.so.cache1.1" format, glibc ≥ 2.32 writes only that). ld never reads it;
/// the fix advisor uses it to find where a missing library is installed on this machine, and the run-time check
/// looks DT_NEEDED names up in it as ld.so does. Bounded and never throws.
/// </summary>
public static class LdSoCacheReader
{
    private const string Magic = "glibc-ld.so.cache1.1";
    private const int HeaderSize = 48;
    private const int EntrySize = 24;
    private const int MaxBytes = 16 << 20;

    public static IReadOnlyList<LdSoCacheEntry> Read(string path, out string? error) =>
        Load(path, out error) is { } b ? Parse(b, path, out error) : [];

    /// <summary>
    /// The directories of the cache's entries, in order of first appearance (what the fix advisor searches): only
    /// the paths are decoded, and each directory once.
    /// </summary>
    public static IReadOnlyList<string> ReadDirectories(string path)
    {
        if (Load(path, out _) is not { } bytes) return [];
        ReadOnlySpan<byte> b = bytes;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dirs = new List<string>();
        // A path's directory depends only on what precedes its last '/': one path is decoded per such prefix (a
        // cache of 600 libraries has a handful), not 600 paths and their 600 directory names.
        var prefixes = new List<byte[]>();
        // Where Parse stops (a key or path outside the file), so does this; the keys are not decoded.
        int count = Entries(b, path, out _);
        for (int i = 0; i < count; i++)
        {
            var file = CStringAt(b, PathOffset(b, i));
            int slash = file.LastIndexOf((byte)'/');
            // "/" and "" have no name after the prefix, and no directory ("/x" has "/"): they are decoded each time.
            if (slash >= 0 && slash < file.Length - 1)
            {
                if (Seen(prefixes, file[..(slash + 1)])) continue;
                prefixes.Add(file[..(slash + 1)].ToArray());
            }
            if (Path.GetDirectoryName(Encoding.UTF8.GetString(file)) is { } dir && seen.Add(dir))
                dirs.Add(dir);
        }
        return dirs;
    }

    private static bool Seen(List<byte[]> prefixes, ReadOnlySpan<byte> prefix)
    {
        foreach (var p in prefixes)
            if (prefix.SequenceEqual(p)) return true;
        return false;
    }

    // The whole file in one buffer sized from one statx; null (with the reason) when it cannot be read.
    private static byte[]? Load(string path, out string? error)
    {
        error = null;
        try
        {
            if (NativeMethods.Stat(path, out int errno) is not { } st)
            {
                if (errno != -1 || !File.Exists(path)) return null;
            }
            else if (st.Type == FileStatType.Directory) return null;
            else if (st.Size > MaxBytes) { error = $"{path}: larger than {MaxBytes} bytes; not read"; return null; }
            using var handle = NativeMethods.OpenForRead(path);
            var b = new byte[RandomAccess.GetLength(handle)];
            if (b.Length > MaxBytes) { error = $"{path}: larger than {MaxBytes} bytes; not read"; return null; }
            int n = 0;
            while (n < b.Length && RandomAccess.Read(handle, b.AsSpan(n), n) is var r and > 0) n += r;
            return n == b.Length ? b : b[..n];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// The file's bytes and how many of its entries <see cref="Parse"/> would return (those before the first whose
    /// name or path lies outside the file), for a reader that decodes only what it looks up; null with the reason
    /// when the file cannot be read or is not a cache.
    /// </summary>
    internal static byte[]? ReadRaw(string path, out int entries, out string? error)
    {
        entries = 0;
        if (Load(path, out error) is not { } b) return null;
        int n = Entries(b, path, out error);
        entries = Math.Max(n, 0);
        return n < 0 ? null : b;
    }

    // The one check of a cache's layout: the magic, the entry count, and how many entries lie inside the file (those
    // before the first whose name or path does not); -1 when it is not a cache at all. ERROR says why, if anything is
    // wrong.
    private static int Entries(ReadOnlySpan<byte> b, string name, out string? error)
    {
        error = null;
        if (b.Length < HeaderSize || !b[..Magic.Length].SequenceEqual("glibc-ld.so.cache1.1"u8))
        {
            error = $"{name}: not a glibc-ld.so.cache1.1 file";
            return -1;
        }
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(b[20..]);
        if (count > (b.Length - HeaderSize) / EntrySize)
        {
            error = $"{name}: {count} entries do not fit in {b.Length} bytes";
            return -1;
        }
        for (int i = 0; i < count; i++)
            if (CStringLength(b, KeyOffset(b, i)) < 0 || CStringLength(b, PathOffset(b, i)) < 0)
            {
                error = $"{name}: entry {i} points outside the file";
                return i;
            }
        return (int)count;
    }

    internal static uint KeyOffset(ReadOnlySpan<byte> b, int i) =>
        BinaryPrimitives.ReadUInt32LittleEndian(b[(HeaderSize + i * EntrySize + 4)..]);

    internal static uint PathOffset(ReadOnlySpan<byte> b, int i) =>
        BinaryPrimitives.ReadUInt32LittleEndian(b[(HeaderSize + i * EntrySize + 8)..]);

    internal static int Flags(ReadOnlySpan<byte> b, int i) =>
        BinaryPrimitives.ReadInt32LittleEndian(b[(HeaderSize + i * EntrySize)..]);

    internal static ulong Hwcap(ReadOnlySpan<byte> b, int i) =>
        BinaryPrimitives.ReadUInt64LittleEndian(b[(HeaderSize + i * EntrySize + 16)..]);

    /// <summary>The NUL-terminated bytes at OFFSET (known to be inside the file).</summary>
    internal static ReadOnlySpan<byte> CStringAt(ReadOnlySpan<byte> b, uint offset) =>
        b.Slice((int)offset, CStringLength(b, offset));

    public static IReadOnlyList<LdSoCacheEntry> Parse(ReadOnlySpan<byte> b, string name, out string? error)
    {
        int count = Entries(b, name, out error);
        var list = new List<LdSoCacheEntry>(Math.Max(count, 0));
        for (int i = 0; i < count; i++)
            list.Add(new LdSoCacheEntry(Encoding.UTF8.GetString(CStringAt(b, KeyOffset(b, i))),
                Encoding.UTF8.GetString(CStringAt(b, PathOffset(b, i))), Flags(b, i), Hwcap(b, i)));
        return list;
    }

    private static int CStringLength(ReadOnlySpan<byte> b, uint offset) => offset >= b.Length ? -1
        : b[(int)offset..].IndexOf((byte)0);
}
