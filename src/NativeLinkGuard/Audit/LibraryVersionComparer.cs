namespace NativeLinkGuard.Audit;

/// <summary>
/// Orders library file names the way ldconfig picks the newest (glibc's _dl_cache_libcmp): runs of digits compare as
/// numbers, everything else byte by byte. libfoo.so.1.10 is newer than libfoo.so.1.9.
/// </summary>
public sealed class LibraryVersionComparer : IComparer<string>
{
    public static LibraryVersionComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        x ??= "";
        y ??= "";
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                while (i < x.Length && x[i] == '0') i++;
                while (j < y.Length && y[j] == '0') j++;
                int ni = i, nj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                int lenCmp = (i - ni).CompareTo(j - nj);
                if (lenCmp != 0) return lenCmp;
                int c = string.CompareOrdinal(x, ni, y, nj, i - ni);
                if (c != 0) return c;
                continue;
            }
            if (x[i] != y[j])
            {
                // A digit sorts after a non-digit: libfoo.so.1 is newer than libfoo.so.
                if (char.IsAsciiDigit(x[i])) return 1;
                if (char.IsAsciiDigit(y[j])) return -1;
                return x[i].CompareTo(y[j]);
            }
            i++;
            j++;
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }
}
