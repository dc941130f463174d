using System.IO.Enumeration;

namespace NativeLinkGuard;

/// <summary>
/// Directory listings for the fix advisors, read once per run: every suggestion (and every re-check of one) asks
/// the same places for "libcuda.so*", and Directory.GetFiles stats each symlink of a 1,000-entry system directory
/// per call. Listings are keyed by the directory's identity (device, inode), so two spellings of one directory share
/// one readdir; only the few entries that match a pattern and are links are stat'ed.
/// </summary>
public sealed class DirectoryListings
{
    private const int MaxListed = 200_000;
    private readonly Dictionary<string, (uint, uint, ulong)?> _identities = new(StringComparer.Ordinal);
    private readonly Dictionary<(uint, uint, ulong), List<DirectoryEntry>?> _listings = [];

    /// <summary>
    /// What <c>Directory.Exists(dir) ? Directory.GetFiles(dir, pattern) : []</c> gives (files and links to files,
    /// pattern matched the way .NET does), sorted ordinally; empty when DIR cannot be listed.
    /// A pattern with a '/' matches nothing: no entry of DIR has one in its name. Patterns are built from names
    /// such as a DT_NEEDED, which can be a path ("/abs/libdep.so", what gcc records for a SONAME-less library linked
    /// by path); .NET would descend into a sub-directory for a relative one and throw for an absolute one.
    /// </summary>
    public IReadOnlyList<string> Files(string dir, string pattern)
    {
        if (pattern.Contains('/') || pattern.Contains('\0')) return [];
        if (!TryList(dir, out var entries))
            return Managed(dir, pattern);
        string expression = Win32Expression(pattern);
        // The pattern's literal head ("libcuda" of "libcuda.so*") must start the name: a cheap test that skips the
        // full match for almost every entry of a system directory.
        int wild = pattern.AsSpan().IndexOfAny("*?.\\\"<>");
        string head = wild < 0 ? pattern : pattern[..wild];
        var files = new List<string>();
        foreach (var e in entries!)
        {
            if (!e.Name.StartsWith(head, StringComparison.Ordinal)
                || !FileSystemName.MatchesWin32Expression(expression, e.Name, ignoreCase: false))
                continue;
            string path = Path.Join(dir, e.Name);
            // A link (or an entry the file system did not type) is a file unless it leads to a directory.
            if (e.Type == DirectoryEntry.Dir) continue;
            if (e.Type != DirectoryEntry.Regular && NativeMethods.Stat(path) is { Type: FileStatType.Directory })
                continue;
            files.Add(path);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private bool TryList(string dir, out List<DirectoryEntry>? entries)
    {
        entries = null;
        if (!_identities.TryGetValue(dir, out var id))
        {
            var st = NativeMethods.Stat(dir, out int errno);
            if (errno == -1) return false;
            _identities[dir] = id = st is { Type: FileStatType.Directory } s ? s.Identity : null;
        }
        if (id is not { } key) { entries = []; return true; }
        if (!_listings.TryGetValue(key, out entries))
        {
            entries = NativeMethods.ReadDirectoryEntries(dir, MaxListed) is { Count: <= MaxListed } l ? l : null;
            _listings[key] = entries;
        }
        return entries is not null;
    }

    // What .NET's enumeration does to a search pattern before matching it (MatchType.Win32 on Unix).
    private static string Win32Expression(string pattern)
    {
        if (pattern is "*" or "*.*") return "*";
        if (pattern.AsSpan().IndexOfAny("\\\"<>") >= 0)
            pattern = pattern.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace(">", "\\>").Replace("<", "\\<");
        return FileSystemName.TranslateWin32Expression(pattern);
    }

    private static IReadOnlyList<string> Managed(string dir, string pattern)
    {
        try
        {
            var files = Directory.Exists(dir) ? Directory.GetFiles(dir, pattern) : [];
            Array.Sort(files, StringComparer.Ordinal);
            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
