namespace NativeLinkGuard.Runtime;

/// <summary>
/// Directory listings (and file identities), read once per run: ld.so tries NAME in every search dir (and its hwcaps subdirs) for every
/// DT_NEEDED, so a hash lookup per candidate replaces a stat per candidate. Directories that cannot be listed, or
/// that are huge, fall back to asking the file system per name.
/// </summary>
public sealed class DirectoryIndex
{
    private const int MaxListed = 200_000;
    private readonly Dictionary<string, HashSet<string>?> _listings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _exists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _identities = new(StringComparer.Ordinal);

    /// <summary>
    /// The file's identity, remembered: ld.so's "same file as a loaded object" test (device and inode), asked for
    /// every mapped candidate. realpath where statx is not available.
    /// </summary>
    public string? Identity(string path)
    {
        if (_identities.TryGetValue(path, out var id)) return id;
        string key = Normalize(path);
        if (ReferenceEquals(key, path) || !_identities.TryGetValue(key, out id))
            id = NativeMethods.Stat(key) is { } st ? $"{st.DevMajor}:{st.DevMinor}:{st.Inode}" : NativeMethods.RealPath(key);
        _identities[path] = _identities[key] = id;
        return id;
    }

    /// <summary>Whether DIR exists as a directory (for the report: "no such directory").</summary>
    public bool DirectoryExists(string dir)
    {
        if (!_exists.TryGetValue(dir, out bool e))
        {
            // "pkg9/lib/../../pkg3/lib" and "pkg4/lib/../../pkg3/lib" are one directory: ask once (the file APIs
            // normalise ".." the same way).
            string key = Normalize(dir);
            if (!ReferenceEquals(key, dir) && _exists.TryGetValue(key, out e)) { _exists[dir] = e; return e; }
            _exists[dir] = _exists[key] = e = Directory.Exists(key);
        }
        return e;
    }

    private readonly Dictionary<string, string> _equivalents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _plainDirectories = new(StringComparer.Ordinal);

    /// <summary>
    /// An absolute DIR without ".", "..", or "//" that the kernel resolves to the same directory, or DIR itself when
    /// that cannot be told without following links. The kernel applies ".." to the directory it has reached, so
    /// "a/x/.." is "a" only when "a/x" is a real directory: a symlink there (its target's parent) or a missing one
    /// (ENOENT for the whole path) keeps the spelling. Spellings of one directory share every search from it.
    /// </summary>
    public string PhysicalEquivalent(string dir)
    {
        if (!dir.StartsWith('/') || !(dir.Contains("/.", StringComparison.Ordinal) || dir.Contains("//", StringComparison.Ordinal))) return dir;
        if (_equivalents.TryGetValue(dir, out var known)) return known;
        var parts = new List<string>();
        string result = dir;
        foreach (var part in dir.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part != "..") { parts.Add(part); continue; }
            if (parts.Count == 0) continue; // "/.." is "/"
            if (!IsPlainDirectory("/" + string.Join('/', parts))) { parts = null; break; }
            parts.RemoveAt(parts.Count - 1);
        }
        if (parts is not null) result = "/" + string.Join('/', parts);
        return _equivalents[dir] = result;
    }

    private bool IsPlainDirectory(string path)
    {
        if (!_plainDirectories.TryGetValue(path, out bool plain))
            _plainDirectories[path] = plain = NativeMethods.LinkStat(path) is { Type: FileStatType.Directory };
        return plain;
    }

    private static string Normalize(string dir) => dir.Contains("/.", StringComparison.Ordinal) || dir.Contains("//", StringComparison.Ordinal) ? Path.GetFullPath(dir) : dir;

    /// <summary>Whether DIR has an entry NAME (of any type: a dangling link counts; opening it decides).</summary>
    public bool Contains(string dir, string name)
    {
        if (!_listings.TryGetValue(dir, out var set))
        {
            string key = Normalize(dir);
            if (ReferenceEquals(key, dir) || !_listings.TryGetValue(key, out set)) set = List(key);
            _listings[dir] = _listings[key] = set;
        }
        if (set is not null) return set.Contains(name);
        string path = dir.TrimEnd('/') + "/" + name;
        return File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;
    }

    /// <summary>Entries of DIR whose names start with PREFIX, sorted (from the listing; none when it cannot be listed).</summary>
    public IReadOnlyList<string> NamesStartingWith(string dir, string prefix)
    {
        Contains(dir, "");
        return _listings.TryGetValue(dir, out var set) && set is not null
            ? set.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    private HashSet<string>? List(string dir)
    {
        if (!DirectoryExists(dir)) return [];
        try
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            // Names only, straight from readdir: no stat per entry.
            IEnumerable<string> names = NativeMethods.ReadDirectory(dir, MaxListed) ?? (IEnumerable<string>)new System.IO.Enumeration.FileSystemEnumerable<string>(dir,
                (ref System.IO.Enumeration.FileSystemEntry e) => e.FileName.ToString(),
                new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0, RecurseSubdirectories = false });
            foreach (var name in names)
            {
                if (set.Count >= MaxListed) return null;
                // A name that is not valid UTF-8 cannot equal a DT_NEEDED string read as UTF-8: fall back for it.
                if (name.Contains('\uFFFD')) return null;
                set.Add(name);
            }
            return set;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return null;
        }
    }
}
