namespace NativeLinkGuard.Audit;

/// <summary>Byte-for-byte comparison of two files, read in
/// bounded chunks and stopped at the first difference.</summary>
internal static class FileBytes
{
    public static bool Same(string a, string b)
    {
        try
        {
            if (NativeMethods.Stat(a) is not { Type: FileStatType.Regular } sa
                || NativeMethods.Stat(b) is not { Type: FileStatType.Regular } sb)
                return false;
            if (sa.Identity == sb.Identity) return true;
            if (sa.Size != sb.Size) return false;
            using var fa = new FileStream(NativeMethods.OpenForRead(a), FileAccess.Read);
            using var fb = new FileStream(NativeMethods.OpenForRead(b), FileAccess.Read);
            var ba = new byte[1 << 16];
            var bb = new byte[1 << 16];
            while (true)
            {
                int na = fa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false);
                int nb = fb.ReadAtLeast(bb, bb.Length, throwOnEndOfStream: false);
                if (na != nb || !ba.AsSpan(0, na).SequenceEqual(bb.AsSpan(0, nb))) return false;
                if (na == 0) return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
