using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>The paths and rules ld.so prints for each spelling of a needing object's directory, and the search
/// trace of a failed lookup: rebuilt from a remembered outcome, never searched again.</summary>
public sealed partial class RuntimeResolver
{
    /// <summary>
    /// The path ld.so opens a found file by, and why there, for the needing object as ld.so spells it: the same list
    /// element as the physical-equivalent search, expanded against this spelling. For DT_RPATH, the owner is the
    /// nearest object up the chain with that (origin, list) link: ld.so tries it first. The rule comes back with
    /// the file name of its list's owner (worded by <see cref="SearchAttempt.Describe"/> only where it is shown).
    /// </summary>
    internal (string Path, SearchRule Rule, string? Owner) Spell(SearchOutcome o, string name, LoadedObject neededBy,
        LoadedObject root)
    {
        switch (o.Source)
        {
            case SearchRule.PathInNeeded:
                return (ExpandTokens(name, neededBy), o.Source, null);
            case SearchRule.Runpath:
                return (Candidate(neededBy.Elf.Runpath!, ":", o, neededBy, name), o.Source, neededBy.FileName);
            case SearchRule.LdLibraryPath:
                return (Candidate(_env.LdLibraryPath!, ":;", o, root, name), o.Source, null);
            case SearchRule.DtRpath:
                // A loop, not LoaderChain(): every object of a reported chain is spelled here (no iterator each).
                for (var l = neededBy; l is not null; l = l.Loader)
                    if (RunPaths.InheritedRpath(l.Elf) is { } rpath && _chainTops[l.RpathChainId] == o.OwnerLink)
                        return (Candidate(rpath, ":", o, l, name), o.Source, l.FileName);
                return (o.FoundPath!, o.Source, null);
            default:
                return (o.FoundPath!, o.Source, null);
        }
    }

    /// <summary>Why ld.so found a mapped object where it did, for the needing object as ld.so spells it. The
    /// wordings are few (a rule and an owner's file name) and a listing repeats them a million times: shared.
    /// </summary>
    internal string SpellRule(SearchOutcome o, string name, LoadedObject neededBy, LoadedObject root)
    {
        var s = Spell(o, name, neededBy, root);
        return RuleText(s.Rule, s.Owner);
    }

    /// <summary>The wording of a rule <see cref="Spell"/> gave (shared).</summary>
    internal string RuleText(SearchRule rule, string? owner) => _search.RuleText(rule, owner);

    private string Candidate(string list, string separators, SearchOutcome o, LoadedObject origin, string name)
    {
        // The outcome fixes the list, the element and the name: only the spelled origin varies, and the roots of one
        // directory spell their chains alike.
        var key = (o, origin.Origin);
        if (_candidates.TryGetValue(key, out var known)) return known;
        string dir = ExpandTokens(_search.Elements(list, separators)[o.Element], origin);
        string d = o.Sub is null ? dir : dir.TrimEnd('/') + "/" + o.Sub;
        string spelled = d.Length == 0 ? name : (d.EndsWith('/') ? d.TrimEnd('/') : d) + "/" + name;
        // Mostly the path the outcome holds already (a plain spelling): its instance is kept, not this copy.
        return _candidates[key] = SharedText.Prefer(o.FoundPath, SharedText.Prefer(o.Path, spelled));
    }

    // Keyed by the origin string object: the origins of reported objects are interned and the spelled paths handed
    // out once, so the long strings are hashed once per object, not once per lookup.
    private readonly Dictionary<(SearchOutcome, string), string> _candidates = new(SameObjects.Instance);

    /// <summary>The directory of a spelled path, interned, once per path object (the objects of a listing share
    /// them).</summary>
    internal string OriginOfSpelled(string path)
    {
        if (!_spelledOrigins.TryGetValue(path, out var origin))
            _spelledOrigins[path] = origin = Interned(OriginOf(path));
        return origin;
    }

    /// <summary>One string object per spelling of a directory.</summary>
    internal string Interned(string s)
    {
        if (!_interned.TryGetValue(s, out var known)) _interned[s] = known = s;
        return known;
    }

    /// <summary>Forgets the spellings once they are many: they serve the neighbouring roots of one package, and a
    /// listing of a thousand roots would otherwise keep every path it printed alive to its end.</summary>
    private void TrimSpellings()
    {
        if (_candidates.Count < SpellingsKept) return;
        _candidates.Clear();
        _spelledOrigins.Clear();
        _interned.Clear();
    }

    // Measured over the 1,040-root benchmark tree, JSON: 36 MB peak RSS keeping all, 29 MB at 16,384, 28.5 MB at
    // 4,096 in the same time; 1,024 starts to cost time.
    private const int SpellingsKept = 4096;

    private readonly Dictionary<string, string> _spelledOrigins = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);

    private sealed class SameObjects : IEqualityComparer<(SearchOutcome, string)>
    {
        public static readonly SameObjects Instance = new();

        public bool Equals((SearchOutcome, string) a, (SearchOutcome, string) b) =>
            ReferenceEquals(a.Item1, b.Item1) && ReferenceEquals(a.Item2, b.Item2);

        public int GetHashCode((SearchOutcome, string) k) => HashCode.Combine(
            System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Item1),
            System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Item2));
    }
    /// <summary>
    /// Every directory tried for a failed lookup, kept per search and per inherited-RPATH chain: the trace lists each
    /// object whose DT_RPATH was tried, which the search memo's shortened chains do not tell apart.
    /// </summary>
    internal IReadOnlyList<SearchedDirectory> Trace(SearchOutcome outcome, string name, LoadedObject obj,
        LoadedObject root)
    {
        // The trace is fixed by the needing object's path, the objects up its chain whose DT_RPATH is tried (each
        // path fixes its file, so its list and origin) and, with $ORIGIN in LD_LIBRARY_PATH, the root's directory.
        var rpaths = _traceRpaths;
        rpaths.Clear();
        if (RunPaths.SearchesInheritedRpaths(obj.Elf))
            for (var l = obj; l is not null; l = l.Loader)
                if (RunPaths.InheritedRpath(l.Elf) is { } rpath) rpaths.Add(new RpathList(rpath, l.Origin, l));
        var owners = new string[rpaths.Count];
        for (int k = 0; k < owners.Length; k++) owners[k] = rpaths[k].Owner!.Path;
        var key = new TraceKey(outcome, obj.Path, _env.LdLibraryPath?.Contains('$') == true ? root.Origin : "", owners);
        if (_traces.TryGetValue(key, out var trace)) return trace;
        // Room for a usual trace (the benchmark tree's average 26 lines): no regrowth for most.
        var searched = new List<SearchedDirectory>(32);
        _search.Find(name, obj, root, rpaths, searched, out _, out _);
        return _traces.Add(key, searched);
    }

    // A trace's lists up the chain, reused call after call (the search reads them, the memo keeps the owners).
    private readonly List<RpathList> _traceRpaths = [];

    // The hash is worked out once: the key is looked up and then added, and hashing a deep chain's owner paths is
    // most of a lookup's cost.
    private readonly record struct TraceKey(SearchOutcome Outcome, string Path, string RootOrigin, string[] RpathOwners)
    {
        private readonly int _hash = Hash(Outcome, Path, RootOrigin, RpathOwners);

        public bool Equals(TraceKey other) => _hash == other._hash && ReferenceEquals(Outcome, other.Outcome)
            && Path == other.Path && RootOrigin == other.RootOrigin
            && RpathOwners.AsSpan().SequenceEqual(other.RpathOwners);

        public override int GetHashCode() => _hash;

        private static int Hash(SearchOutcome outcome, string path, string rootOrigin, string[] owners)
        {
            var h = new HashCode();
            h.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(outcome));
            h.Add(path);
            h.Add(rootOrigin);
            foreach (var o in owners) h.Add(o);
            return h.ToHashCode();
        }
    }

    /// <summary>The directory of PATH (made absolute) as ld.so takes $ORIGIN from it.</summary>
    internal string OriginOf(string path)
    {
        string abs = Abs(path);
        int slash = abs.LastIndexOf('/');
        if (slash <= 0) return "/";
        // Neighbouring roots share a directory: the last one answered is handed out again, not cut anew.
        if (_lastOrigin is { } last && last.Length == slash && abs.StartsWith(last, StringComparison.Ordinal))
            return last;
        return _lastOrigin = abs[..slash];
    }

    private string? _lastOrigin;

    private string Abs(string p) => _search.Abs(p);

    private string ExpandTokens(string s, LoadedObject origin) => _search.ExpandTokens(s, origin.Origin);
}
