namespace NativeLinkGuard.Runtime;

/// <summary>The objects and lookups a report reads, built from the walk's records on first use: the paths ld.so
/// would print, spelled from each loader's spelling, and the rules that found them.</summary>
public sealed partial class RuntimeResolution
{
    // Built on first use only: most roots of a large run are never reported object by object. By index, dense
    // for a listing (every object is built); a failed root builds only the objects on its failures' chains, a few
    // among hundreds, so those are kept in two short parallel arrays searched in order instead of an array the size
    // of the root (a dictionary per failed root was a sixth of the benchmark tree's garbage).
    private LoadedObject?[]? _built;
    private int[]? _sparseIndexes;
    private LoadedObject[]? _sparseObjects;
    private int _sparseCount;
    // The rule each built object found by a search was found by, spelled with its path (its lookup's rule).
    private string?[]? _builtRules;

    // Room for every object of a listing, with their rules (objects built before stay).
    private void MakeRoom()
    {
        if (_built is null || _built.Length < ObjectCount) Array.Resize(ref _built, ObjectCount);
        if (_builtRules is null || _builtRules.Length < _built.Length) Array.Resize(ref _builtRules, _built.Length);
        for (int k = 0; k < _sparseCount; k++) _built[_sparseIndexes![k]] = _sparseObjects![k];
        ForgetSparse();
    }

    private void ForgetSparse()
    {
        _sparseIndexes = null;
        _sparseObjects = null;
        _sparseCount = 0;
    }

    private LoadedObject? Sparse(int index)
    {
        for (int k = 0; k < _sparseCount; k++)
            if (_sparseIndexes![k] == index) return _sparseObjects![k];
        return null;
    }

    private void AddSparse(int index, LoadedObject o)
    {
        ReserveSparse(1);
        _sparseIndexes![_sparseCount] = index;
        _sparseObjects![_sparseCount++] = o;
    }

    // Room for MORE objects; a failed lookup reserves its whole chain at once (chains of 16 on average on the
    // benchmark tree, 30 at most: regrown from 16 by doubling, the copies were 4% of the run's garbage).
    private void ReserveSparse(int more)
    {
        if (_sparseIndexes is not null && _sparseCount + more <= _sparseIndexes.Length) return;
        int size = Math.Max(_sparseCount + more, _sparseIndexes is null ? 8 : _sparseCount * 2);
        Array.Resize(ref _sparseIndexes, size);
        Array.Resize(ref _sparseObjects, size);
    }

    // The objects from INDEX up to the root, as the records link them.
    private int ChainLength(int index)
    {
        int n = 0;
        for (int i = index; i >= 0; i = Record(i).Loader) n++;
        return n;
    }

    /// <summary>Object INDEX with the path ld.so opened it by (built on first use, with its loaders).</summary>
    public LoadedObject Object(int index)
    {
        if (_built is not null && index < _built.Length && _built[index] is { } built) return built;
        if (Sparse(index) is { } known) return known;
        var o = Build(index);
        if (_built is not null && index < _built.Length) _built[index] = o;
        else AddSparse(index, o);
        return o;
    }

    private LoadedObject Build(int index)
    {
        ref var r = ref Record(index);
        if (r.Outcome is null)
        {
            var g = Given(index);
            return new LoadedObject(g.Path, r.Facts.Elf, null, _resolver!.Interned(g.Origin), r.Chain);
        }
        var loader = Object(r.Loader);
        string name = _resolver!.Name(r.Name);
        var spelled = _resolver.Spell(r.Outcome, name, loader, Object(0));
        if (_builtRules is not null && index < _builtRules.Length)
            _builtRules[index] = _resolver.RuleText(spelled.Rule, spelled.Owner);
        // A name searched in a directory is the last component of the path it was found at (not so for a cache
        // entry's path, nor a name with a slash): the interned name serves as the file name.
        string p = spelled.Path;
        bool named = p.Length > name.Length && p.EndsWith(name, StringComparison.Ordinal)
            && p[^(name.Length + 1)] == '/' && !name.Contains('/');
        return new LoadedObject(p, r.Facts.Elf, loader, _resolver.OriginOfSpelled(p), r.Chain, named ? name : null);
    }

    /// <summary>Object INDEX at its physical-equivalent path: what the resolver searches from (asked only while
    /// this root is walked).</summary>
    internal LoadedObject SearchObject(int index)
    {
        if (_resolver!.SearchObjectOfThisWalk(index) is { } built) return built;
        ref var r = ref Record(index);
        var (path, origin) = SearchLocation(index);
        // A search reads the needing object's file, directory and name, never its loaders (the inherited DT_RPATH
        // lists come from its chain id): no loader chain is built.
        var o = new LoadedObject(path, r.Facts.Elf, null, origin, r.Chain);
        _resolver.RememberSearchObject(index, o);
        return o;
    }

    /// <summary>The physical-equivalent directories of the loaded objects but the loader itself, each once (where
    /// fixes look for files).</summary>
    internal IEnumerable<string> SearchOrigins()
    {
        if (_searchOrigins is null)
        {
            Detail(allLookups: false);
            _searchOrigins = SearchOriginsOf(_objects!);
        }
        return _searchOrigins;
    }

    private List<string>? _searchOrigins;

    // The root and every object found by a search (not the loader itself), each physical directory once, in load order.
    private List<string> SearchOriginsOf(MappedRecord[] objects)
    {
        var seen = new HashSet<int>();
        var origins = new List<string>();
        for (int i = 0; i < ObjectCount; i++)
            if ((i == 0 || objects[i].Outcome is not null) && seen.Add(objects[i].OriginId))
                origins.Add(objects[i].Outcome is { } o ? o.Origin : Given(i).SearchOrigin);
        return origins;
    }

    /// <summary>Every lookup as <c>ldd</c> lists it, in ld.so's order, made straight from the records (a listing of
    /// a thousand roots is a million rows: no <see cref="RuntimeLookup"/> nor row object is built for them).</summary>
    internal LibraryListing Libraries()
    {
        Detail(allLookups: true);
        MakeRoom();
        var rows = LibraryListing.Builder.Start(LookupCount, ObjectCount, i => Object(i).Path, _resolver!.Name);
        for (int k = 0; k < LookupCount; k++)
        {
            var r = _lookups![k];
            rows.Add(r.Name, r.NeededBy, r.Found, Rule(r));
        }
        return rows.Build();
    }

    private RuntimeLookup Lookup(LookupRecord r)
    {
        if (_built is null) ReserveSparse(ChainLength(r.NeededBy) + 1);
        var neededBy = Object(r.NeededBy);
        string name = _resolver!.Name(r.Name);
        if (r.Found >= 0) return new RuntimeLookup(name, neededBy, Object(r.Found), Rule(r), []);
        var trace = _resolver.Trace(r.Outcome!, name, neededBy, Object(0));
        return new RuntimeLookup(name, neededBy, null, null, trace, r.Kind == LookupKind.Fatal ? r.Outcome!.Fatal
            : null);
    }

    private string? Rule(LookupRecord r) => r.Kind switch
    {
        LookupKind.LoaderItself => "the dynamic loader itself",
        LookupKind.AlreadyLoaded => "already loaded",
        LookupKind.Mapped => MappedRule(r),
        LookupKind.SameFile => SpellRule(r) + " (same file as an object already loaded)",
        _ => null,
    };

    // A mapped lookup is the one that mapped its object: its rule was spelled with the object's path.
    private string MappedRule(LookupRecord r)
    {
        ref var found = ref Record(r.Found);
        if (found.Loader != r.NeededBy || found.Name != r.Name || !ReferenceEquals(found.Outcome, r.Outcome))
            return SpellRule(r);
        Object(r.Found);
        return _builtRules is { } rules && r.Found < rules.Length && rules[r.Found] is { } rule ? rule : SpellRule(r);
    }

    private string SpellRule(LookupRecord r) =>
        _resolver!.SpellRule(r.Outcome!, _resolver.Name(r.Name), Object(r.NeededBy), Object(0));
}
