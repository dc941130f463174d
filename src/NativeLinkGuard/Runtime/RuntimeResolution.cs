namespace NativeLinkGuard.Runtime;

/// <summary>
/// The emulated load of one file: every object mapped, every lookup, in ld.so's order. Held as compact records;
/// <see cref="LoadedObject"/> and <see cref="RuntimeLookup"/> objects are built on first use, so a root whose load
/// succeeds and is not listed costs no objects at all.
/// </summary>
public sealed partial class RuntimeResolution
{
    private readonly RuntimeResolver? _resolver;
    // Null once dropped: a root that loads with nothing to report keeps only its counts, and the records are
    // rebuilt by walking again (deterministic: the resolver's memos only ever answer the same) if someone asks.
    private MappedRecord[]? _objects;
    private LookupRecord[]? _lookups;
    // False when only the failed lookups were kept (all a report of a failure needs).
    private bool _allLookupsKept;
    private bool _anyMayNameStubs;
    // The root and the loader itself, opened by given paths: (index, path, origin, physical-equivalent origin). Two
    // at most, held in place: a list of them was an allocation per root.
    private (int Index, string Path, string Origin, string SearchOrigin) _given0 = (-1, "", "", ""),
        _given1 = (-1, "", "", "");
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
        ForgetSparse();
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
        (_given0, _given1) = (again._given0, again._given1);
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
        if (_given0.Index < 0) _given0 = (index, path, origin, searchOrigin);
        else if (_given1.Index < 0) _given1 = (index, path, origin, searchOrigin);
        else throw new InvalidOperationException("only the root and the loader itself are opened by given paths");
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
        if (_given0.Index == index && index >= 0) return _given0;
        if (_given1.Index == index && index >= 0) return _given1;
        throw new InvalidOperationException($"object {index} was not opened by a given path");
    }

    internal void Add(in LookupRecord record)
    {
        if (record.Found < 0) HasUnresolved = true;
        if (LookupCount == _lookups!.Length) Array.Resize(ref _lookups, _lookups.Length * 2);
        _lookups[LookupCount++] = record;
    }
}
