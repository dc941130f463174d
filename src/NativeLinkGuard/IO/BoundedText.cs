namespace NativeLinkGuard;

/// <summary>
/// Reads a text file the user points at (a response file, a File API reply) without ever blocking on a FIFO and
/// without trusting the size the file system reports (/proc files say 0 and may never end): at most a fixed number of
/// bytes, else an IOException the caller already turns into a diagnostic.
/// </summary>
internal static class BoundedText
{
    public static string Read(string path, int maxBytes)
    {
        using var stream = new FileStream(NativeMethods.OpenForRead(path), FileAccess.Read);
        var buffer = new byte[Math.Min(maxBytes + 1L, Math.Max(4096L, stream.Length + 1))];
        int total = 0, n;
        while ((n = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += n;
            if (total == buffer.Length)
            {
                if (buffer.Length > maxBytes) throw new IOException($"{path}: larger than {maxBytes} bytes; not read");
                Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1L, buffer.Length * 2L));
            }
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }
}
