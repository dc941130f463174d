using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>A DT_RPATH list ld.so tries for a needing object: its own or an inherited one. OWNER names it in a trace
/// (null where the caller only wants the answer).</summary>
internal readonly record struct RpathList(string List, string Origin, LoadedObject? Owner);

/// <summary>What one search list gave: the file, the element and hwcaps subdirectory it was in, or a fatal error.
/// </summary>
internal readonly record struct ListHit((string Path, ElfFile Elf)? Found, int Element, string? Sub, string? Fatal);

/// <summary>
/// glibc's search for one DT_NEEDED (2.36 <c>_dl_map_object</c>), and the only place its order is written. The
/// resolver around it remembers answers and interns names; this class only keeps what a fresh search would compute
/// again (expanded lists, hwcaps subdirectories, each list's answer per name).
/// </summary>
internal sealed partial class LdSoSearch(LoaderEnvironment env, LibraryFileCache files, DirectoryIndex dirs,
    LdSoCacheIndex? cache,
    IReadOnlySet<string> extraFiles)
{
    private readonly LoaderEnvironment _env = env;
    private readonly LibraryFileCache _files = files;
    private readonly DirectoryIndex _dirs = dirs;
    private readonly LdSoCacheIndex? _cache = cache;
    private readonly IReadOnlySet<string> _extraFiles = extraFiles;
    // Run paths expanded once per (origin, list): every object of a package shares its $ORIGIN and list.
    // Keyed by strings, level by level (separators, origin, list): a tuple of strings hashes each one with the
    // randomised hash on every lookup, and a failed root's trace looks up every list of its chain.
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, string[]>>> _expanded =
        new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), string[]> _elements = new();
    private readonly Dictionary<string, string[]> _searchDirectories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _existingSubdirectories = new(StringComparer.Ordinal);
    private readonly Dictionary<(IReadOnlyList<string>, string), ListHit> _lists = new(ListKeyComparer.Instance);

    /// <summary>
    /// Where ld.so finds NAME, needed by NEEDING in the process of ROOT, in glibc's order:
    ///   0. a name with a slash is opened as is (after token expansion), never searched;
    ///   1. only if NEEDING has no DT_RUNPATH: the DT_RPATH lists of NEEDING and the objects that loaded it, nearest
    ///      first (<paramref name="rpaths"/>: DT_RPATH is inherited; glibc ignores it next to DT_RUNPATH);
    ///   2. LD_LIBRARY_PATH (its $ORIGIN is the root's);
    ///   3. DT_RUNPATH of NEEDING only (never inherited);
    ///   4. unless NEEDING is DF_1_NODEFLIB: ld.so.cache (or a sysroot's ld.so.conf), then the system directories.
    /// Every directory is tried with its hwcaps subdirectories first. SEARCHED collects the trace when not null.
    /// </summary>
    public (string Path, ElfFile Elf)? Find(string name, LoadedObject needing, LoadedObject root,
        IReadOnlyList<RpathList> rpaths, List<SearchedDirectory>? searched, out FoundAt at, out string? fatal)
    {
        at = default;
        fatal = null;
        if (name.Contains('/'))
        {
            string p = ExpandTokens(name, needing.Origin);
            at = new FoundAt(SearchRule.PathInNeeded, 0, null);
            var c = Try(p, out fatal, out string result);
            searched?.Add(new SearchedDirectory(p, SearchAttempt.Describe(at.Source), result));
            return c;
        }
        if (RunPaths.SearchesInheritedRpaths(needing.Elf))
            for (int k = 0; k < rpaths.Count; k++)
            {
                var l = rpaths[k];
                var rpath = TryList(Expanded(l.List, l.Origin, ":"), name, SearchRule.DtRpath, l.Owner, searched);
                if (Stop(rpath, SearchRule.DtRpath, ref at, ref fatal, k)) return rpath.Found;
            }
        if (!string.IsNullOrEmpty(_env.LdLibraryPath))
        {
            var llp = TryList(Expanded(_env.LdLibraryPath, root.Origin, ":;"), name, SearchRule.LdLibraryPath, null,
                searched);
            if (Stop(llp, SearchRule.LdLibraryPath, ref at, ref fatal)) return llp.Found;
        }
        if (needing.Elf.Runpath is { } runpath)
        {
            var own = TryList(Expanded(runpath, needing.Origin, ":"), name, SearchRule.Runpath, needing, searched);
            if (Stop(own, SearchRule.Runpath, ref at, ref fatal)) return own.Found;
        }
        if (needing.NoDefaultLibs)
        {
            searched?.Add(new SearchedDirectory("(ld.so.cache and system directories)", "skipped",
                $"{needing.FileName} is linked with -z nodefaultlib"));
            return null;
        }
        if (_cache is not null)
        {
            var cached = TryCache(name, searched);
            if (Stop(cached, SearchRule.LdSoCache, ref at, ref fatal)) return cached.Found;
        }
        if (_env.ConfDirectories.Count > 0)
        {
            var conf = TryList(_env.ConfDirectories, name, SearchRule.LdSoConfAsCache, null, searched);
            if (Stop(conf, SearchRule.LdSoConfAsCache, ref at, ref fatal)) return conf.Found;
        }
        var system = TryList(_env.SystemDirectories, name, SearchRule.SystemDirectory, null, searched);
        Stop(system, SearchRule.SystemDirectory, ref at, ref fatal);
        return system.Found;
    }

    /// <summary>A list that found the file or failed fatally ends the search; where it found it goes to AT.</summary>
    private static bool Stop(ListHit hit, SearchRule rule, ref FoundAt at, ref string? fatal, int list = -1)
    {
        fatal = hit.Fatal;
        if (hit.Found is not null) at = new FoundAt(rule, hit.Element, hit.Sub, list);
        return hit.Found is not null || hit.Fatal is not null;
    }

    private ListHit TryCache(string name, List<SearchedDirectory>? searched)
    {
        string rule = SearchAttempt.Describe(SearchRule.LdSoCache);
        if (_cache!.Lookup(name, _env.Class, _env.Machine, _env.Subdirectories) is not { } cached)
        {
            searched?.Add(new SearchedDirectory(_cache.Path, rule, $"no entry for {name}"));
            return default;
        }
        var c = Try(cached, out string? fatal, out string result);
        searched?.Add(new SearchedDirectory(cached, rule, result));
        return new ListHit(c, 0, null, fatal);
    }

    /// <summary>Room for the list answers of ROOTS roots (1.7 per root on the benchmark tree).</summary>
    internal void ExpectRoots(int roots) => _lists.EnsureCapacity(2 * roots);

    /// <summary>A run-path list with its tokens expanded against an origin, split once and remembered.</summary>
    public string[] Expanded(string list, string origin, string separators)
    {
        if (!_expanded.TryGetValue(separators, out var byOrigin))
            _expanded[separators] = byOrigin = new(StringComparer.Ordinal);
        if (!byOrigin.TryGetValue(origin, out var byList)) byOrigin[origin] = byList = new(StringComparer.Ordinal);
        if (!byList.TryGetValue(list, out var dirs)) byList[list] = dirs = Expand(list, origin, separators);
        return dirs;
    }

    // Apart from Expanded: a lambda capturing ORIGIN there would cost a closure on every call, cached or not.
    private string[] Expand(string list, string origin, string separators) =>
        Elements(list, separators).Select(e => ExpandTokens(e, origin)).ToArray();

    /// <summary>A run-path list split into its elements, once per (list, separators).</summary>
    public string[] Elements(string list, string separators)
    {
        if (!_elements.TryGetValue((list, separators), out var e))
            _elements[(list, separators)] = e = separators == ":" ? RunPaths.Split(list)
                : RunPaths.SplitLdLibraryPath(list);
        return e;
    }

    /// <summary>One search list tried for NAME (glibc's open_path). Without a trace the answer depends only on the
    /// list and the name, and is remembered: lists are the interned arrays of <see cref="Expanded"/>.</summary>
    private ListHit TryList(IReadOnlyList<string> dirs, string name, SearchRule rule, LoadedObject? owner,
        List<SearchedDirectory>? searched)
    {
        if (searched is not null) return TracedList(dirs, name, rule, owner, searched);
        var key = (dirs, name);
        if (!_lists.TryGetValue(key, out var hit)) _lists[key] = hit = OpenPath(dirs, name, rule, owner, null);
        return hit;
    }

    private ListHit OpenPath(IReadOnlyList<string> dirs, string name, SearchRule rule, LoadedObject? owner,
        List<SearchedDirectory>? searched)
    {
        var found = OpenPath(dirs, name, rule, owner, searched, out string? fatal, out int element, out string? sub);
        return new ListHit(found, element, sub, fatal);
    }

    // rule/owner: the rule's text ("DT_RPATH of " + file name) is only built when the trace is recorded.
    private (string Path, ElfFile Elf)? OpenPath(IReadOnlyList<string> dirs, string name, SearchRule rule,
        LoadedObject? owner, List<SearchedDirectory>? searched, out string? fatal, out int element, out string? sub)
    {
        fatal = null;
        element = -1;
        sub = null;
        string Rule() => RuleText(rule, owner?.FileName);
        string Shown(string dir) => dir.Length == 0 ? "(empty element: the working directory)" : dir;
        // By index: a foreach over the interface would allocate an enumerator per list tried.
        for (int i = 0; i < dirs.Count; i++)
        {
            string dir = dirs[i];
            element++;
            string? result = null;
            foreach (var d in SearchDirectories(dir))
            {
                // glibc drops trailing slashes of a search dir (except "/") before appending the name.
                string absDir = Abs(d.Length == 0 ? "." : d);
                bool listed = _dirs.Contains(absDir, name);
                if (!listed && _extraFiles.Count == 0) continue; // the common miss: no path built
                string candidate = d.Length == 0 ? name : (d.EndsWith('/') ? d.TrimEnd('/') : d) + "/" + name;
                if (!listed && !_extraFiles.Contains(candidate)) continue;
                var c = Try(candidate, out fatal, out string r, FileOf(absDir, name));
                if (c is not null || fatal is not null)
                {
                    searched?.Add(new SearchedDirectory(Shown(dir), Rule(), r));
                    if (d != dir) sub = d[(dir.TrimEnd('/').Length + 1)..];
                    return c;
                }
                if (IsSymlinkLoop(Abs(candidate)))
                {
                    // open() failing with anything but ENOENT/EACCES ends this list (glibc's open_path returns -1);
                    // ld.so goes on with the next source.
                    searched?.Add(new SearchedDirectory(Shown(dir), Rule(),
                        $"{name} is a symlink loop: ld.so stops searching this list here"));
                    return null;
                }
                result ??= r;
            }
            searched?.Add(new SearchedDirectory(Shown(dir), Rule(),
                result ?? (_dirs.DirectoryExists(Abs(dir.Length == 0 ? "." : dir)) ? NoFile(name)
                    : "no such directory")));
        }
        return null;
    }

    // The path the file cache knows a candidate by: the physical-equivalent spelling of its directory where the
    // kernel agrees ("pkg9/lib/../../pkg3/lib/x" is "pkg3/lib/x"), so the many spellings a deep tree gives one file
    // share its cache entry instead of a statx and an entry each. Null: the candidate's own path.
    private string? FileOf(string absDir, string name)
    {
        string physical = _dirs.PhysicalEquivalent(absDir);
        return ReferenceEquals(physical, absDir) ? null : physical.TrimEnd('/') + "/" + name;
    }

    /// <summary>The hwcaps subdirectories of DIR that exist, best first, then DIR itself; remembered per run.</summary>
    private string[] SearchDirectories(string dir)
    {
        if (_searchDirectories.TryGetValue(dir, out var list)) return list;
        // Which hwcaps subdirectories exist is asked once per physical directory, not per spelling of it.
        string physical = dir.Length == 0 ? "" : _dirs.PhysicalEquivalent(Abs(dir).TrimEnd('/'));
        if (!_existingSubdirectories.TryGetValue(physical, out var subs))
        {
            subs = ExistingSubdirectories(dir);
            if (dir.Length > 0) _existingSubdirectories[physical] = subs;
        }
        var result = new List<string>(subs.Length + 1);
        foreach (var sub in subs) result.Add(sub.Length == 0 ? dir : dir.TrimEnd('/') + "/" + sub);
        if (!result.Contains(dir)) result.Add(dir);
        return _searchDirectories[dir] = [.. result];
    }

    // Apart from SearchDirectories, whose cached path would otherwise pay for this lambda's closure on every call.
    private string[] ExistingSubdirectories(string dir) => _env.Subdirectories.Where(sub => sub.Length == 0
        || SubdirectoryExists(Abs(dir.TrimEnd('/') + "/" + sub), sub)).ToArray();

    // Most search directories have no glibc-hwcaps, tls or platform subdirectory: the listing of the directory, read
    // for its search anyway, answers for a first component it lacks without a statx per subdirectory.
    private bool SubdirectoryExists(string path, string sub)
    {
        string parent = path[..(path.Length - sub.Length - 1)];
        int slash = sub.IndexOf('/');
        return _dirs.Contains(parent.Length == 0 ? "/" : parent, slash < 0 ? sub : sub[..slash])
            && _dirs.DirectoryExists(path);
    }

    /// <summary>$ORIGIN, $LIB and $PLATFORM as this loader expands them against an object's directory.</summary>
    public string ExpandTokens(string s, string origin) => RunPaths.ExpandForLoader(s, origin, _env.DstLib,
        _env.Platform);

    public string Abs(string p) => p.StartsWith('/') ? p : _env.WorkingDirectory.TrimEnd('/') + "/" + p;

    /// <summary>Lists are compared by reference: each is an interned array (or the environment's own list).</summary>
    private sealed class ListKeyComparer : IEqualityComparer<(IReadOnlyList<string> Dirs, string Name)>
    {
        public static readonly ListKeyComparer Instance = new();

        public bool Equals((IReadOnlyList<string> Dirs, string Name) x, (IReadOnlyList<string> Dirs, string Name) y) =>
            ReferenceEquals(x.Dirs, y.Dirs) && string.Equals(x.Name, y.Name, StringComparison.Ordinal);

        public int GetHashCode((IReadOnlyList<string> Dirs, string Name) k) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Dirs), k.Name);
    }
}
