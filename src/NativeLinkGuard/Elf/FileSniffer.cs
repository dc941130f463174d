namespace NativeLinkGuard.Elf;

/// <summary>Classifies a file from its first bytes, the way ld decides how to read a candidate. Never throws.</summary>
public static class FileSniffer
{
    /// <summary>How many bytes the sniffer reads at most.</summary>
    public const int SniffLength = 64;

    public static FileKind Sniff(string path, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            error = "invalid path";
            return FileKind.Missing;
        }

        try
        {
            // Follows symbolic links; false for a dangling link or a loop, which the open below reports.
            if (Directory.Exists(path))
                return FileKind.Directory;

            Span<byte> head = stackalloc byte[SniffLength];
            int n;
            using (var handle = NativeMethods.OpenForRead(path))
            {
                n = 0;
                while (n < head.Length)
                {
                    int r = RandomAccess.Read(handle, head[n..], n);
                    if (r <= 0) break;
                    n += r;
                }
            }
            return Classify(head[..n]);
        }
        catch (FileNotFoundException e)
        {
            error = IsSymbolicLink(path) ? $"dangling symbolic link: {e.Message}" : e.Message;
            return FileKind.Missing;
        }
        catch (DirectoryNotFoundException e)
        {
            error = e.Message;
            return FileKind.Missing;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException)
        {
            // EACCES, ELOOP ("Too many levels of symbolic links"), EIO, ENAMETOOLONG.
            error = e.Message;
            return FileKind.Unreadable;
        }
    }

    /// <summary>Classifies the first bytes of a file (at most <see cref="SniffLength"/> are looked at).</summary>
    public static FileKind Classify(ReadOnlySpan<byte> head)
    {
        if (FileMagic.Of(head) is { } kind)
            return kind;
        if (head.Length > SniffLength)
            head = head[..SniffLength];
        return head.IndexOf((byte)0) < 0 ? FileKind.Text : FileKind.Unknown;
    }

    private static bool IsSymbolicLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException)
        {
            return false;
        }
    }
}
