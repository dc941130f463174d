namespace NativeLinkGuard.Runtime;

/// <summary>
/// Directory listings (and file identities), read once per run: ld.so tries NAME in every search dir (and its hwcaps
/// subdirs) for every
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
            id = NativeMethods.Stat(key) is { } st ? st.DeviceInode : NativeMethods.RealPath(key);
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
            _exists[dir] = _exists[key] = e = Exists(key, directory: true);
        }
        return e;
    }

    private readonly PhysicalPaths _physical = new();

    /// <summary>An equivalent spelling of DIR without "." or "..", where the kernel agrees (see <see
    /// cref="PhysicalPaths"/>).</summary>
    public string PhysicalEquivalent(string dir) => _physical.Equivalent(dir);

    // "pkg9/lib/../../pkg3/lib" and "pkg4/lib/../../pkg3/lib" are one directory when the kernel says so.
    private string Normalize(string dir) => _physical.Equivalent(dir);

    /// <summary>Whether DIR has an entry NAME (of any type: a dangling link counts; opening it decides).</summary>
    public bool Contains(string dir, string name)
    {
        if (!_listings.TryGetValue(dir, out var set))
        {
            string key = Normalize(dir);
            if (ReferenceEquals(key, dir) || !_listings.TryGetValue(key, out set))
                set = ListedAhead(key, out var ahead) ? ahead : List(key);
            _listings[dir] = _listings[key] = set;
        }
        if (set is not null) return set.Contains(name);
        string path = dir.TrimEnd('/') + "/" + name;
        return Exists(path, directory: false);
    }

    /// <summary>Entries of DIR whose names start with PREFIX, sorted (from the listing; none when it cannot be
    /// listed).</summary>
    public IReadOnlyList<string> NamesStartingWith(string dir, string prefix)
    {
        Contains(dir, "");
        if (!_listings.TryGetValue(dir, out var set) || set is null) return [];
        // Sorted once per listing; the names with a prefix are then one contiguous range.
        if (!_sorted.TryGetValue(set, out var sorted))
        {
            sorted = [.. set];
            Array.Sort(sorted, StringComparer.Ordinal);
            _sorted[set] = sorted;
        }
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(sorted[mid], prefix) < 0) lo = mid + 1; else hi = mid;
        }
        var names = new List<string>();
        for (int i = lo; i < sorted.Length && sorted[i].StartsWith(prefix, StringComparison.Ordinal);
            i++) names.Add(sorted[i]);
        return names;
    }

    private readonly Dictionary<HashSet<string>, string[]> _sorted = new(ReferenceEqualityComparer.Instance);

    // The kernel's answer (statx): .NET's file APIs shorten ".." on paper before asking, which is wrong after a
    // symlinked directory. A dangling link counts as an entry. Managed calls only where statx is missing.
    private static bool Exists(string path, bool directory)
    {
        var st = directory ? NativeMethods.Stat(path, out int errno) : NativeMethods.LinkStat(path, out errno);
        if (errno != -1) return st is not null && (!directory || st.Value.Type == FileStatType.Directory);
        return directory ? Directory.Exists(path) : File.Exists(path) || Directory.Exists(path)
            || new FileInfo(path).LinkTarget is not null;
    }

    private HashSet<string>? List(string dir)
    {
        var st = NativeMethods.Stat(dir, out int errno);
        if (errno == -1) return DirectoryExists(dir) ? Read(dir) : []; // no statx here: the managed calls
        // The statx that says whether it is a directory (as DirectoryExists would) also says which one: on a
        // merged-/usr system /lib/x86_64-linux-gnu and /usr/lib/x86_64-linux-gnu are one directory of a thousand
        // names or more, listed once and kept to the end of the run.
        _exists[dir] = st is { Type: FileStatType.Directory };
        if (st is not { Type: FileStatType.Directory } d) return [];
        if (_byIdentity.TryGetValue(d.Identity, out var set)) return set;
        ListingsRead++;
        return _byIdentity[d.Identity] = Read(dir);
    }

    private readonly Dictionary<(uint, uint, ulong), HashSet<string>?> _byIdentity = new();

    /// <summary>Directories this index has listed itself (tests).</summary>
    internal int ListingsRead { get; private set; }

    // Listings read ahead on another thread (RootPrefetcher), each with the directory's statx from just before it was
    // read. The walker takes one only if the directory is unchanged since (same inode, size, mtime), so a library made
    // after the read-ahead is still seen; a directory changed in the last two seconds is not read ahead at all, as
    // its mtime may not tick again for a change within the same clock tick (git's "racily clean" rule).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (HashSet<string>? Set, FileStat Stamp)>
        _ahead = new(StringComparer.Ordinal);

    /// <summary>Lists DIR, a plain absolute path, ahead of the walk (from another thread).</summary>
    internal void ListAhead(string dir)
    {
        if (NativeMethods.Stat(dir) is not { Type: FileStatType.Directory } st) return;
        var modified = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds);
        if (DateTimeOffset.UtcNow - modified < TimeSpan.FromSeconds(2)) return;
        _ahead.TryAdd(dir, (Read(dir), st));
    }

    private bool ListedAhead(string dir, out HashSet<string>? set)
    {
        set = null;
        if (!_ahead.TryRemove(dir, out var ahead) || NativeMethods.Stat(dir) != ahead.Stamp) return false;
        _exists[dir] = true;
        set = ahead.Set;
        return true;
    }

    private static HashSet<string>? Read(string dir)
    {
        try
        {
            // Names only, straight from readdir: no stat per entry.
            var listed = NativeMethods.ReadDirectory(dir, MaxListed);
            // Sized once: regrown entry by entry, a thousand-entry listing made as much garbage as it kept.
            var set = new HashSet<string>(listed?.Count ?? 0, StringComparer.Ordinal);
            var names = listed
                ?? (IEnumerable<string>)new System.IO.Enumeration.FileSystemEnumerable<string>(dir,
                (ref System.IO.Enumeration.FileSystemEntry e) => e.FileName.ToString(),
                new EnumerationOptions
                {
                    IgnoreInaccessible = false, AttributesToSkip = 0,
                    RecurseSubdirectories = false
                });
            foreach (var name in names)
            {
                if (set.Count >= MaxListed) return null;
                // A name that is not valid UTF-8 cannot equal a DT_NEEDED string read as UTF-8: fall back for it.
                if (name.Contains('\uFFFD')) return null;
                set.Add(name);
            }
            return set;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException
            or System.Security.SecurityException)
        {
            return null;
        }
    }
}
