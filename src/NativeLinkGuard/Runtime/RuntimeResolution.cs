namespace NativeLinkGuard.Runtime;

/// <summary>
/// The emulated load of one file: every object mapped, every lookup, in ld.so's order. Held as compact records;
/// <see cref="LoadedObject"/> and <see cref="RuntimeLookup"/> objects are built on first use, so a root whose load
/// succeeds and is not listed costs no objects at all.
/// </summary>
public sealed class RuntimeResolution
{
    private readonly RuntimeResolver? _resolver;
    // Null once dropped: a root that loads with nothing to report keeps only its counts, and the records are
    // rebuilt by walking again (deterministic: the resolver's memos only ever answer the same) if someone asks.
    private MappedRecord[]? _objects;
    private LookupRecord[]? _lookups;
    // False when only the failed lookups were kept (all a report of a failure needs).
    private bool _allLookupsKept;
    private bool _anyMayNameStubs;
    // Built on first use only: most roots of a large run are never reported object by object. By index, dense
    // for a listing (every object is built); a failed root builds only the objects on its failures' chains, a few
    // among hundreds, so those are kept by index in a small table instead of an array the size of the root.
    private LoadedObject?[]? _built;
    private Dictionary<int, LoadedObject>? _sparse;
    // The rule each built object found by a search was found by, spelled with its path (its lookup's rule).
    private string?[]? _builtRules;
    // The root and the loader itself, opened by given paths: (index, path, origin, physical-equivalent origin).
    private List<(int Index, string Path, string Origin, string SearchOrigin)> _given = new(2);
    private IReadOnlyList<LoadedObject>? _allObjects;
    private IReadOnlyList<RuntimeLookup>? _allLookups;

    internal RuntimeResolution(string path, string? rootError, RuntimeResolver? resolver = null,
        MappedRecord[]? objects = null, LookupRecord[]? lookups = null)
    {
        Path = path;
        RootError = rootError;
        _resolver = resolver;
        _objects = objects ?? new MappedRecord[4];
        _lookups = lookups ?? new LookupRecord[8];
    }

    public string Path { get; }

    /// <summary>The root itself cannot be loaded (missing, not ELF, another ABI than the loader).</summary>
    public string? RootError { get; }

    public LoadedObject? Root => ObjectCount > 0 ? Object(0) : null;

    internal int ObjectCount => _objectCount;

    private int _objectCount;
    internal int LookupCount { get; private set; }

    /// <summary>Every object mapped, in load order (built on first use).</summary>
    public IReadOnlyList<LoadedObject> Objects => _allObjects ??= Enumerable.Range(0,
        ObjectCount).Select(Object).ToList();

    /// <summary>Every lookup as <c>ldd</c> lists it, when the walk was asked to list (else null).</summary>
    internal LibraryListing? Listing { get; private set; }

    /// <summary>Whether any lookup found nothing or stopped the load.</summary>
    internal bool HasUnresolved { get; private set; }

    /// <summary>Every DT_NEEDED lookup, in ld.so's order (built on first use).</summary>
    public IReadOnlyList<RuntimeLookup> Lookups
    {
        get
        {
            if (_allLookups is not null) return _allLookups;
            Detail(allLookups: true);
            return _allLookups = _lookups![..LookupCount].Select(Lookup).ToList();
        }
    }

    /// <summary>Drops the objects built for a listing (rebuilt from the records on demand): a listed clean root
    /// keeps its records, not a graph of objects, until its report is written.</summary>
    internal void ForgetBuilt()
    {
        _allLookups = null;
        _allObjects = null;
        _built = null;
        _sparse = null;
        _builtRules = null;
    }

    /// <summary>The lookups that found nothing or stopped the load; only these are built.</summary>
    public IEnumerable<RuntimeLookup> Unresolved
    {
        get
        {
            if (!HasUnresolved) yield break;
            // A copy of the few failed records: building a finding may rebuild the records underneath.
            if (RecordsGone) Detail(allLookups: false);
            var failed = new List<LookupRecord>();
            for (int k = 0; k < LookupCount; k++)
                if (_lookups![k].Found < 0) failed.Add(_lookups[k]);
            foreach (var r in failed) yield return Lookup(r);
        }
    }

    /// <summary>Whether any object's run path may name a stubs directory (NLG0005's pre-filter).</summary>
    internal bool AnyMayNameStubs => _anyMayNameStubs;

    /// <summary>Objects whose run path may name a stubs directory (NLG0005's candidates); only these are
    /// built.</summary>
    internal IEnumerable<LoadedObject> ObjectsThatMayNameStubs()
    {
        if (!_anyMayNameStubs) yield break;
        for (int i = 0; i < ObjectCount; i++)
            if (_objects![i].MayNameStubs) yield return Object(i);
    }

    internal ref MappedRecord Record(int index)
    {
        if (RecordsGone) Detail(allLookups: false);
        return ref _objects![index];
    }

    /// <summary>
    /// Ends the walk: keeps the records a report can need (every lookup when ALL, else the failed ones; the objects
    /// when ALL or something failed or may name a stubs directory; nothing for a clean load) and hands the resolver
    /// its working arrays back for the next root.
    /// </summary>
    internal (MappedRecord[] Objects, LookupRecord[] Lookups) Seal(bool all, bool listed = false)
    {
        var objects = _objects!;
        var lookups = _lookups!;
        if (listed)
        {
            // The list is made from the walk's own arrays, before they go back: every lookup is kept as a few
            // indexes into the root's strings, not copied as records.
            _allLookupsKept = true;
            Listing = Libraries();
        }
        for (int i = 0; i < ObjectCount && !_anyMayNameStubs; i++) _anyMayNameStubs = objects[i].MayNameStubs;
        _allLookupsKept = all;
        if (all || _anyMayNameStubs)
        {
            _objects = objects[..ObjectCount];
            _lookups = lookups[..LookupCount];
        }
        else if (HasUnresolved)
        {
            // A failure's findings are built from its records right after its walk, before the resolver walks
            // another root (RuntimeWalker): the records stay in the working arrays, uncopied, until that next walk;
            // asked for after it, they are rebuilt by walking again.
            _borrowedUntil = _resolver!.Walks;
        }
        else
        {
            _objects = null;
            _lookups = null;
        }
        return (objects, lookups);
    }

    // The resolver's walk count while this failure's records lie in its working arrays (-1: they are this
    // resolution's own).
    private int _borrowedUntil = -1;

    private bool RecordsGone => _objects is null || _borrowedUntil >= 0 && _resolver!.Walks != _borrowedUntil;

    // Rebuilds dropped records by walking the root again.
    private void Detail(bool allLookups)
    {
        if (!RecordsGone && (!allLookups || _allLookupsKept)) return;
        var again = _resolver!.Resolve(Path, recordAll: true);
        _objects = again._objects;
        _lookups = again._lookups;
        _given = again._given;
        _objectCount = again._objectCount;
        _borrowedUntil = -1;
        LookupCount = again.LookupCount;
        _allLookupsKept = true;
    }

    internal int Add(in MappedRecord record)
    {
        if (_objectCount == _objects!.Length) Array.Resize(ref _objects, _objects.Length * 2);
        _objects[_objectCount] = record;
        return _objectCount++;
    }

    internal int AddGiven(in MappedRecord record, string path, string origin, string searchOrigin)
    {
        int index = Add(record);
        _given.Add((index, path, origin, searchOrigin));
        return index;
    }

    /// <summary>Where object INDEX is searched from, and the path and origin it has for the resolver.</summary>
    internal (string Path, string Origin) SearchLocation(int index)
    {
        ref var r = ref Record(index);
        if (r.Outcome is { } o) return (o.Path!, o.Origin);
        var g = Given(index);
        return (g.Path, g.SearchOrigin);
    }

    private (int Index, string Path, string Origin, string SearchOrigin) Given(int index)
    {
        foreach (var g in _given) if (g.Index == index) return g;
        throw new InvalidOperationException($"object {index} was not opened by a given path");
    }

    internal void Add(in LookupRecord record)
    {
        if (record.Found < 0) HasUnresolved = true;
        if (LookupCount == _lookups!.Length) Array.Resize(ref _lookups, _lookups.Length * 2);
        _lookups[LookupCount++] = record;
    }

    // Room for every object of a listing, with their rules (objects built before stay).
    private void MakeRoom()
    {
        if (_built is null || _built.Length < ObjectCount) Array.Resize(ref _built, ObjectCount);
        if (_builtRules is null || _builtRules.Length < _built.Length) Array.Resize(ref _builtRules, _built.Length);
        if (_sparse is null) return;
        foreach (var (i, o) in _sparse) _built[i] = o;
        _sparse = null;
    }

    /// <summary>Object INDEX with the path ld.so opened it by (built on first use, with its loaders).</summary>
    public LoadedObject Object(int index)
    {
        if (_built is not null && index < _built.Length && _built[index] is { } built) return built;
        if (_sparse is not null && _sparse.TryGetValue(index, out var known)) return known;
        var o = Build(index);
        if (_built is not null && index < _built.Length) _built[index] = o;
        else (_sparse ??= new Dictionary<int, LoadedObject>())[index] = o;
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
        var o = new LoadedObject(path, r.Facts.Elf, r.Loader < 0 ? null : SearchObject(r.Loader), origin, r.Chain);
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
