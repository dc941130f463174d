using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>The searches the memo did not know, the interned inherited-DT_RPATH chains they run under, and the
/// outcomes they share.</summary>
public sealed partial class RuntimeResolver
{
    // Per chain id: its nearest link (origin, interned list) and the chain above it (id 0: no link); and, built on
    // first search, the lists it makes ld.so try, nearest first.
    private readonly Dictionary<(int Parent, int Origin, int Rpath), int> _chainIds = new();
    private readonly List<(int Origin, int Rpath)> _chainTops = [(-1, -1)];
    private readonly List<int> _chainParents = [0];
    private readonly List<((int Origin, int Rpath)[] Links, RpathList[] Lists)?> _chainLists = [null];

    private int ChainId(int parent, int origin, int rpath)
    {
        if (_chainIds.TryGetValue((parent, origin, rpath), out int id)) return id;
        _chainIds[(parent, origin, rpath)] = id = _chainTops.Count;
        _chainTops.Add((origin, rpath));
        _chainParents.Add(parent);
        _chainLists.Add(null);
        return id;
    }

    /// <summary>
    /// The search for KEY. ld.so tries the nearest DT_RPATH up the loader chain first: a file found in that list is
    /// found there whatever lists lie above it, so the search under that link alone is made once and shared by
    /// every chain it tops; only a name it does not find there is searched through the whole chain.
    /// </summary>
    private SearchOutcome SearchAnyChain(SearchKey key, LoadedObject needing, LoadedObject root)
    {
        if (key.Chain > 0 && _chainParents[key.Chain] != 0)
        {
            var (origin, rpath) = _chainTops[key.Chain];
            var topKey = key with { Chain = ChainId(0, origin, rpath) };
            if (!_searches.TryGetValue(topKey, out var first))
                _searches[topKey] = first = Search(key.Name, needing, root, topKey.Chain);
            if (first.Path is not null && first.Source == SearchRule.DtRpath) return first;
        }
        return Search(key.Name, needing, root, Math.Max(key.Chain, 0));
    }

    /// <summary>A search under CHAIN's inherited DT_RPATH lists (equal neighbouring links collapsed); the outcome of
    /// a file found the same way is shared.</summary>
    private SearchOutcome Search(int name, LoadedObject needing, LoadedObject root, int chain)
    {
        var (links, rpaths) = _chainLists[chain] ??= ChainLists(chain);
        var found = _search.Find(_names[name], needing, root, rpaths, null, out var at,
            out string? fatal);
        if (found is not { } f) return new SearchOutcome { Fatal = fatal };
        var ownerLink = at.Source == SearchRule.DtRpath ? links[at.List] : default;
        var key = new OutcomeKey(f.Path, at.Source, at.Element, at.Sub, ownerLink);
        if (!_outcomes.TryGetValue(key, out var o)) _outcomes[key] = o = Outcome(f, at, ownerLink);
        return o;
    }

    private ((int Origin, int Rpath)[], RpathList[]) ChainLists(int chain)
    {
        int n = 0;
        for (int c = chain; c != 0; c = _chainParents[c]) n++;
        var links = new (int Origin, int Rpath)[n];
        var lists = new RpathList[n];
        n = 0;
        for (int c = chain; c != 0; c = _chainParents[c], n++)
        {
            links[n] = _chainTops[c];
            lists[n] = new RpathList(_names[links[n].Rpath], _originNames[links[n].Origin], null);
        }
        return (links, lists);
    }

    // Every search that ends at the same file the same way shares one outcome (and its spellings).
    private readonly record struct OutcomeKey(string Path, SearchRule Rule, int Element, string? Sub,
        (int, int) OwnerLink);

    private readonly Dictionary<OutcomeKey, SearchOutcome> _outcomes = new();

    private SearchOutcome Outcome((string Path, ElfFile Elf) f, FoundAt at, (int, int) ownerLink)
    {
        string spelledOrigin = OriginOf(f.Path), origin = _dirs.PhysicalEquivalent(spelledOrigin);
        string path = ReferenceEquals(origin, spelledOrigin) ? f.Path : origin.TrimEnd('/') + "/"
            + Path.GetFileName(f.Path);
        // The interned instances: outcomes live to the end of the run, and the same directory and path texts made
        // afresh by each search were 2,459 of the 18,400 strings still alive there on the benchmark tree. The file
        // cache's own instance of the path comes first: one string per file for the cache, the names and the outcome
        // (each search builds its candidate path anew; 1,300 copies were alive at the end).
        string abs = Abs(path);
        var file = _files.Get(abs);
        path = SharedText.Prefer(file.Path, path);
        int originId = OriginId(origin), pathName = NameId(path);
        string interned = _names[pathName];
        return new SearchOutcome
        {
            Path = interned, Facts = FactsFor(f.Elf, null), PathName = pathName,
            Origin = _originNames[originId], OriginId = originId,
            Identity = (file.Identity ?? _dirs.Identity(abs)) is { } id ? IdentityId(id) : -1,
            Source = at.Source, Element = at.Element, Sub = at.Sub, OwnerLink = ownerLink,
            FoundPath = SharedText.Prefer(interned, f.Path),
        };
    }
}
