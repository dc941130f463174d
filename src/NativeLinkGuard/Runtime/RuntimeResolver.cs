using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Emulates glibc's ld.so loading one file (a library as <c>dlopen</c> opens it, a program as exec starts it):
/// objects are mapped breadth-first; each DT_NEEDED is first matched against loaded objects (a SONAME, a requested name, a path), then
/// searched (glibc 2.36 <c>_dl_map_object</c>):
///   1. only if the needing object has no DT_RUNPATH: DT_RPATH of the needing object, of the object that loaded
///      it, and so on up to the root (DT_RPATH is inherited; glibc ignores DT_RPATH next to DT_RUNPATH);
///   2. LD_LIBRARY_PATH;
///   3. DT_RUNPATH of the needing object only (never inherited);
///   4. unless the needing object is DF_1_NODEFLIB: ld.so.cache, then the system directories.
/// Every directory is tried with its hwcaps subdirectories first. A candidate of another ELF class or machine is
/// skipped; one that is not ELF at all (or too short) is a fatal error, as in ld.so.
/// </summary>
public sealed class RuntimeResolver
{
    private readonly LoaderEnvironment _env;
    private readonly LibraryFileCache _files;
    private readonly DirectoryIndex _dirs;
    private readonly LdSoCacheIndex? _cache;
    private readonly IReadOnlyDictionary<string, string> _runpathOverrides;
    private readonly bool _hasOverrides;
    private readonly IReadOnlySet<string> _extraFiles;
    // Run paths expanded once per (origin, list): every object of a package shares its $ORIGIN and list.
    private readonly Dictionary<(string Origin, string List, string Separators), string[]> _expanded = new();
    private readonly Dictionary<string, string[]> _searchDirectories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _existingSubdirectories = new(StringComparer.Ordinal);

    // Interned names (DT_NEEDED, SONAMEs, paths), origins and file identities: the walk compares ints.
    private readonly Dictionary<string, int> _nameIds = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _originIds = new(StringComparer.Ordinal);
    private readonly List<bool> _originNamesStubs = [];
    private readonly Dictionary<string, int> _identityIds = new(StringComparer.Ordinal);
    private readonly Dictionary<ElfFile, ObjectFacts> _facts = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, ObjectFacts> _overriddenFacts = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Parent, int Origin, int Rpath), int> _chainIds = new();
    private readonly List<(int Origin, int Rpath)> _chainTops = [(-1, -1)]; // per chain id: its nearest link (0: none)
    private readonly List<int> _chainParents = [0];
    private readonly List<string> _originNames = [];
    private readonly Dictionary<(int Name, int Origin, int Rpath), ((string Path, ElfFile Elf)? Found, int Element, string? Sub, string? Fatal)> _links = new();
    private readonly Dictionary<(int Name, int Profile, int Origin, int RootOrigin), ((string Path, ElfFile Elf)? Found, FoundAt At, string? Fatal)> _tails = new();
    private readonly Dictionary<(string? Runpath, bool NoDefaultLibs), int> _profiles = new();
    // Across the roots of a run, a DT_NEEDED search depends only on the name, the needing object (its file, its
    // $ORIGIN), the inherited DT_RPATH lists and, when LD_LIBRARY_PATH uses $ORIGIN, the root's directory: remembered
    // by those, a tree shared by a thousand roots is searched once.
    private readonly Dictionary<SearchKey, SearchOutcome> _searches = new();
    private readonly Dictionary<TraceKey, IReadOnlyList<SearchedDirectory>> _traces = new();

    // The loaded-object tables of the root being walked, indexed by interned name/identity and valid where the stamp
    // equals the walk's epoch: a new root starts with one increment instead of clearing dictionaries.
    private int _epoch;
    private int[] _nameStamp = new int[256], _nameObject = new int[256];
    private int[] _identityStamp = new int[256], _identityObject = new int[256];
    // The working arrays of the walk, reused root after root: a resolution keeps copies of only what it may report.
    private MappedRecord[] _walkObjects = new MappedRecord[16];
    private LookupRecord[] _walkLookups = new LookupRecord[32];
    // This walk keeps every lookup (the ldd-style list), not only the failures.
    private bool _recordAll;

    private readonly record struct SearchKey(int Name, int File, int Origin, int Chain, int RootOrigin);

    // runpathOverrides: object path → the DT_RUNPATH it would have after a suggested relink or patchelf;
    // extraFiles: paths a suggestion would create (aliases in the file cache). Both only when verifying a fix.
    public RuntimeResolver(LoaderEnvironment env, LibraryFileCache files, DirectoryIndex dirs, LdSoCacheIndex? cache,
        IReadOnlyDictionary<string, string>? runpathOverrides = null, IReadOnlySet<string>? extraFiles = null)
    {
        _env = env;
        _files = files;
        _dirs = dirs;
        _cache = cache;
        _runpathOverrides = runpathOverrides ?? new Dictionary<string, string>();
        _hasOverrides = _runpathOverrides.Count > 0;
        _extraFiles = extraFiles ?? new HashSet<string>();
    }

    /// <summary>Loads PATH as ld.so would. ALL keeps every lookup (the ldd-style list); otherwise a clean load keeps
    /// none and a failed one its failures, and the rest is rebuilt on demand.</summary>
    public RuntimeResolution Resolve(string path, bool recordAll = false)
    {
        var rootFile = _files.Get(Abs(path));
        if (rootFile.Kind != LibraryFileKind.Elf || rootFile.Elf is null)
            return new(path, NotLoadable(path, Abs(path), rootFile));
        if (!rootFile.Elf.IsSharedObject && rootFile.Elf.Type != ElfType.Executable)
            return new(path, $"{path}: not a shared object or executable ({rootFile.Elf.Type})");
        if (rootFile.Elf.Class != _env.Class || rootFile.Elf.Machine != _env.Machine)
            return new(path, $"{path}: built for {rootFile.Elf.TargetName}, not for the loader's ABI");

        if (++_epoch == int.MaxValue)
        {
            Array.Clear(_nameStamp);
            Array.Clear(_identityStamp);
            _epoch = 1;
        }
        var r = new RuntimeResolution(path, null, this, _walkObjects, _walkLookups);
        _recordAll = recordAll;

        // A program started with exec gets $ORIGIN from /proc/self/exe, which the kernel has resolved through
        // symlinks; a library opened by path (dlopen, ld.so --list) keeps the directory as given.
        string origin = LoadedObject.IsProgram(rootFile.Elf) && NativeMethods.RealPath(Abs(path)) is { } real
            ? Path.GetDirectoryName(real) ?? "/" : OriginOf(path);
        string searchOrigin = _dirs.PhysicalEquivalent(origin);
        int root = Map(r, new MappedRecord { OriginId = OriginId(searchOrigin), Facts = FactsFor(rootFile.Elf, path), Loader = -1, Name = -1 },
            NameId(path), (path, origin, searchOrigin));
        AddName(root, NameId(path));
        SetIdentity(root, _dirs.Identity(Abs(path)), replace: true);
        int rtld = -1;
        if (_env.RtldPath is { } rp && _files.Get(rp) is { Kind: LibraryFileKind.Elf, Elf: { } rtldElf })
        {
            // ld.so maps itself first: DT_NEEDED entries naming it (libc's ld-linux-x86-64.so.2) need no search.
            string rtldOrigin = OriginOf(rp), rtldSearchOrigin = _dirs.PhysicalEquivalent(rtldOrigin);
            rtld = r.AddGiven(new MappedRecord { OriginId = OriginId(rtldSearchOrigin), Facts = FactsFor(rtldElf, null), Loader = -1, Name = -1 },
                rp, rtldOrigin, rtldSearchOrigin);
            IndexNames(r, rtld);
            AddName(rtld, NameId(rp));
            SetIdentity(rtld, _dirs.Identity(rp), replace: false);
        }

        int rootOrigin = _env.LdLibraryPath?.Contains('$') == true ? r.Record(root).OriginId : -1;
        for (int i = 0; i < r.ObjectCount; i++)
        {
            if (i == rtld) continue;
            var needed = r.Record(i).Facts.Needed;
            for (int k = 0; k < needed.Length; k++)
                if (!Lookup(r, needed[k], k, i, rootOrigin)) goto done;
        }
    done:
        (_walkObjects, _walkLookups) = r.Seal(recordAll);
        return r;
    }

    internal string Name(int id) => _names[id];

    /// <summary>Why a root that is not a readable ELF file cannot be loaded, naming the path once (some reasons
    /// already start with it: "/x.so: not a regular file").</summary>
    internal static string NotLoadable(string path, string abs, LibraryFile file)
    {
        string why = file.Error ?? "not an ELF file";
        if (why.StartsWith(abs + ": ", StringComparison.Ordinal)) why = why[(abs.Length + 2)..];
        return $"{path}: {why}";
    }

    /// <summary>Maps one DT_NEEDED of object I as ld.so does; false when the load stops (a fatal candidate).</summary>
    private bool Lookup(RuntimeResolution r, int name, int k, int i, int rootOrigin)
    {
        // A name matches a loaded object's SONAME, a name it was requested by, or its path (glibc's _dl_name_match_p).
        if (_nameStamp[name] == _epoch)
        {
            int j = _nameObject[name];
            if (!_recordAll) return true;
            ref var loaded = ref r.Record(j);
            var kind = loaded.Loader < 0 && r.SearchLocation(j).Path == _env.RtldPath ? LookupKind.LoaderItself : LookupKind.AlreadyLoaded;
            r.Add(new LookupRecord { Name = name, NeededBy = i, Found = j, Kind = kind });
            return true;
        }

        ref var obj = ref r.Record(i);
        var facts = obj.Facts;
        int chain = facts.HasRunpath ? -1 : obj.Chain;
        // Most lookups repeat the last search of this DT_NEEDED entry (same file, directory, RPATH chain): compared
        // in place before the shared table is hashed.
        ref var memo = ref facts.LastSearch(k);
        var outcome = memo.Outcome;
        if (outcome is null || memo.Origin != obj.OriginId || memo.Chain != chain || memo.RootOrigin != rootOrigin)
        {
            var key = new SearchKey(name, facts.Profile, obj.OriginId, chain, rootOrigin);
            if (!_searches.TryGetValue(key, out outcome)) _searches[key] = outcome = Search(r, name, i, rootOrigin);
            memo = new LastSearch(obj.OriginId, chain, rootOrigin, outcome);
        }
        if (outcome.Path is null)
        {
            r.Add(new LookupRecord { Name = name, NeededBy = i, Found = -1, Kind = outcome.Fatal is null ? LookupKind.NotFound : LookupKind.Fatal, Outcome = outcome });
            return outcome.Fatal is null;
        }

        // ld.so compares device and inode: a second path to a mapped file reuses that object.
        if (outcome.Identity >= 0 && _identityStamp[outcome.Identity] == _epoch)
        {
            int same = _identityObject[outcome.Identity];
            AddName(same, name);
            if (_recordAll) r.Add(new LookupRecord { Name = name, NeededBy = i, Found = same, Kind = LookupKind.SameFile, Outcome = outcome });
            return true;
        }
        var found = _hasOverrides ? FactsFor(outcome.Facts!.Elf, outcome.Path) : outcome.Facts!;
        int mapped = Map(r, new MappedRecord { OriginId = outcome.OriginId, Facts = found, Loader = i, Name = name, Outcome = outcome }, outcome.PathName);
        AddName(mapped, name);
        if (outcome.Identity >= 0) { _identityStamp[outcome.Identity] = _epoch; _identityObject[outcome.Identity] = mapped; }
        if (_recordAll) r.Add(new LookupRecord { Name = name, NeededBy = i, Found = mapped, Kind = LookupKind.Mapped, Outcome = outcome });
        return true;
    }

    private SearchOutcome Search(RuntimeResolution r, int name, int i, int rootOrigin)
    {
        (string Path, ElfFile Elf)? found = null;
        FoundAt at = default;
        string? fatal = null;
        ref var rec = ref r.Record(i);
        if (_names[name].Contains('/'))
            found = Search(_names[name], r.SearchObject(i), r.SearchObject(0), null, out at, out fatal);
        else
        {
            // The inherited DT_RPATH lists one link at a time, each searched once per name; then the rest, once per
            // name and needing file: a new chain of known links costs a few hash lookups, not a directory walk.
            if (!rec.Facts.HasRunpath)
                for (int c = rec.Chain; c != 0 && found is null && fatal is null; c = _chainParents[c])
                {
                    var link = LinkSearch(name, _chainTops[c]);
                    if (link.Found is { } hit) { found = hit; at = new FoundAt(FoundIn.Rpath, "DT_RPATH", null, link.Element, link.Sub); }
                    fatal = link.Fatal;
                    if (found is not null) return Cached(_linkOutcomes, (name, _chainTops[c].Origin, _chainTops[c].Rpath), found.Value, at, _chainTops[c]);
                }
            if (fatal is null)
            {
                // Without DT_RUNPATH the directory only matters to an LD_LIBRARY_PATH with $ORIGIN (the root's).
                var tailKey = (name, rec.Facts.Profile, rec.Facts.HasRunpath ? rec.OriginId : -1, rootOrigin);
                if (!_tails.TryGetValue(tailKey, out var tail))
                {
                    var t = SearchTail(_names[name], r.SearchObject(i), r.SearchObject(0), null, out var tailAt, out string? tailFatal);
                    _tails[tailKey] = tail = (t, tailAt with { Owner = null }, tailFatal);
                }
                (found, at, fatal) = tail;
                if (found is { } t2) return Cached(_tailOutcomes, tailKey, t2, at, default);
            }
        }
        if (found is not { } f) return new SearchOutcome { Fatal = fatal };
        return Outcome(f, at, at.Source == FoundIn.Rpath ? _chainTops[at.Owner!.RpathChainId] : default);
    }

    // A found file's outcome per link or tail search: every search key that ends there shares it.
    private readonly Dictionary<(int, int, int), SearchOutcome> _linkOutcomes = new();
    private readonly Dictionary<(int, int, int, int), SearchOutcome> _tailOutcomes = new();

    private SearchOutcome Cached<TKey>(Dictionary<TKey, SearchOutcome> outcomes, TKey key, (string Path, ElfFile Elf) found, FoundAt at, (int, int) ownerLink)
        where TKey : notnull
    {
        if (!outcomes.TryGetValue(key, out var o)) outcomes[key] = o = Outcome(found, at, ownerLink);
        return o;
    }

    /// <summary>One DT_RPATH link (its origin and list) searched for one name, remembered.</summary>
    private (
        (string Path, ElfFile Elf)? Found, int Element, string? Sub, string? Fatal) LinkSearch(int name, (int Origin, int Rpath) link)
    {
        var key = (name, link.Origin, link.Rpath);
        if (_links.TryGetValue(key, out var known)) return known;
        var dirs = Expanded(_names[link.Rpath], _originNames[link.Origin], ":");
        var found = TryDirectories(dirs, _names[name], null, "", null, out string? fatal, out int element, out string? sub);
        return _links[key] = (found, element, sub, fatal);
    }

    private SearchOutcome Outcome((string Path, ElfFile Elf) f, FoundAt at, (int, int) ownerLink)
    {
        string spelledOrigin = OriginOf(f.Path), origin = _dirs.PhysicalEquivalent(spelledOrigin);
        string path = ReferenceEquals(origin, spelledOrigin) ? f.Path : origin.TrimEnd('/') + "/" + Path.GetFileName(f.Path);
        return new SearchOutcome
        {
            Path = path, Facts = FactsFor(f.Elf, null), PathName = NameId(path), Origin = origin, OriginId = OriginId(origin),
            Identity = (_files.Get(Abs(f.Path)).Identity ?? _dirs.Identity(Abs(path))) is { } id ? IdentityId(id) : -1,
            Source = at.Source, FoundPath = f.Path, Rule = at.Rule, Element = at.Element, Sub = at.Sub, OwnerLink = ownerLink,
        };
    }

    /// <summary>
    /// The path ld.so opens a found file by, and why there, for the needing object as ld.so spells it: the same list
    /// element as the physical-equivalent search, expanded against this spelling. For DT_RPATH, the owner is the
    /// nearest object up the chain with that (origin, list) link: ld.so tries it first.
    /// </summary>
    internal (string Path, string Rule) Spell(SearchOutcome o, string name, LoadedObject neededBy, LoadedObject root)
    {
        switch (o.Source)
        {
            case FoundIn.PathInNeeded:
                return (ExpandTokens(name, neededBy), o.Rule!);
            case FoundIn.Runpath:
                return (Candidate(neededBy.Elf.Runpath!, ":", o, neededBy, name), "DT_RUNPATH of " + neededBy.FileName);
            case FoundIn.LdLibraryPath:
                return (Candidate(_env.LdLibraryPath!, ":;", o, root, name), o.Rule!);
            case FoundIn.Rpath:
                foreach (var l in neededBy.LoaderChain())
                    if (l.EffectiveRpath is { } rpath && _chainTops[l.RpathChainId] == o.OwnerLink)
                        return (Candidate(rpath, ":", o, l, name), "DT_RPATH of " + l.FileName);
                return (o.FoundPath!, o.Rule!);
            default:
                return (o.FoundPath!, o.Rule!);
        }
    }

    private string Candidate(string list, string separators, SearchOutcome o, LoadedObject origin, string name)
    {
        // The outcome fixes the list, the element and the name: only the spelled origin varies, and the roots of one
        // directory spell their chains alike.
        var key = (o, origin.Origin);
        if (_candidates.TryGetValue(key, out var known)) return known;
        string dir = ExpandTokens(Elements(list, separators)[o.Element], origin);
        string d = o.Sub is null ? dir : dir.TrimEnd('/') + "/" + o.Sub;
        return _candidates[key] = d.Length == 0 ? name : (d.EndsWith('/') ? d.TrimEnd('/') : d) + "/" + name;
    }

    private readonly Dictionary<(SearchOutcome, string), string> _candidates = new();
    private readonly Dictionary<(string, string), string[]> _elements = new();

    /// <summary>A run-path list split into its elements, once per (list, separators).</summary>
    private string[] Elements(string list, string separators)
    {
        if (!_elements.TryGetValue((list, separators), out var e)) _elements[(list, separators)] = e = list.Split(separators.ToCharArray());
        return e;
    }

    /// <summary>
    /// Every directory tried for a failed lookup, kept per search and per inherited-RPATH chain: the trace lists each
    /// object whose DT_RPATH was tried, which the search memo's shortened chains do not tell apart.
    /// </summary>
    internal IReadOnlyList<SearchedDirectory> Trace(SearchOutcome outcome, string name, LoadedObject obj, LoadedObject root)
    {
        // The trace is fixed by the needing object's path, the objects up its chain whose DT_RPATH is tried (each
        // path fixes its file, so its list and origin) and, with $ORIGIN in LD_LIBRARY_PATH, the root's directory.
        var owners = new List<string>();
        if (obj.Elf.Runpath is null)
            foreach (var l in obj.LoaderChain())
                if (l.EffectiveRpath is not null) owners.Add(l.Path);
        var key = new TraceKey(outcome, obj.Path, _env.LdLibraryPath?.Contains('$') == true ? root.Origin : "", [.. owners]);
        if (_traces.TryGetValue(key, out var trace)) return trace;
        var searched = new List<SearchedDirectory>();
        Search(name, obj, root, searched, out _, out _);
        return _traces[key] = searched;
    }

    private readonly record struct TraceKey(SearchOutcome Outcome, string Path, string RootOrigin, string[] RpathOwners)
    {
        public bool Equals(TraceKey other) => ReferenceEquals(Outcome, other.Outcome) && Path == other.Path
            && RootOrigin == other.RootOrigin && RpathOwners.AsSpan().SequenceEqual(other.RpathOwners);

        public override int GetHashCode()
        {
            var h = new HashCode();
            h.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Outcome));
            h.Add(Path);
            h.Add(RootOrigin);
            foreach (var o in RpathOwners) h.Add(o);
            return h.ToHashCode();
        }
    }

    private int Map(RuntimeResolution r, MappedRecord record, int pathName, (string Path, string Origin, string SearchOrigin)? given = null)
    {
        var facts = record.Facts;
        int chain = record.Loader < 0 ? 0 : r.Record(record.Loader).Chain;
        if (facts.Rpath >= 0 && (chain == 0 || _chainTops[chain] != (record.OriginId, facts.Rpath)))
        {
            // A new RPATH link: the lists (and the $ORIGIN they expand against) above it, plus this one. A link equal
            // to the one right above it searches the same directories again first, so it finds exactly what the
            // chain above finds: the chain is kept, and a package's deep chain of libraries sharing one RPATH
            // stays one search context instead of one per depth.
            var key = (chain, record.OriginId, facts.Rpath);
            if (!_chainIds.TryGetValue(key, out int id))
            {
                _chainIds[key] = id = _chainTops.Count;
                _chainTops.Add((record.OriginId, facts.Rpath));
                _chainParents.Add(chain);
            }
            chain = id;
        }
        record.Chain = chain;
        record.MayNameStubs = facts.MayNameStubs || facts.RunPathHasToken && _originNamesStubs[record.OriginId];
        int index = given is { } g ? r.AddGiven(record, g.Path, g.Origin, g.SearchOrigin) : r.Add(record);
        IndexNames(r, index, pathName);
        return index;
    }

    private void IndexNames(RuntimeResolution r, int index, int pathName = -1)
    {
        int soname = r.Record(index).Facts.Soname;
        if (soname >= 0) AddName(index, soname);
        AddName(index, pathName >= 0 ? pathName : NameId(r.SearchLocation(index).Path));
    }

    /// <summary>The first object registered under a name keeps it (as the first match in ld.so's list wins).</summary>
    private void AddName(int index, int name)
    {
        if (_nameStamp[name] == _epoch) return;
        _nameStamp[name] = _epoch;
        _nameObject[name] = index;
    }

    private void SetIdentity(int index, string? identity, bool replace)
    {
        if (identity is null) return;
        int id = IdentityId(identity);
        if (!replace && _identityStamp[id] == _epoch) return;
        _identityStamp[id] = _epoch;
        _identityObject[id] = index;
    }

    private ObjectFacts FactsFor(ElfFile elf, string? path)
    {
        if (path is not null && _runpathOverrides.TryGetValue(path, out var runpath))
        {
            if (!_overriddenFacts.TryGetValue(path, out var o))
                _overriddenFacts[path] = o = NewFacts(elf with { Runpath = runpath, Rpath = null });
            return o;
        }
        if (!_facts.TryGetValue(elf, out var f)) _facts[elf] = f = NewFacts(elf);
        return f;
    }

    private ObjectFacts NewFacts(ElfFile elf)
    {
        var needed = new int[elf.Needed.Count];
        for (int k = 0; k < needed.Length; k++) needed[k] = NameId(elf.Needed[k]);
        string? list = elf.Runpath ?? elf.Rpath;
        string? rpath = elf.Runpath is null ? elf.Rpath : null;
        var profileKey = (elf.Runpath, (elf.Flags1 & 0x800) != 0);
        if (!_profiles.TryGetValue(profileKey, out int profile)) _profiles[profileKey] = profile = _profiles.Count;
        return new ObjectFacts(elf, profile, needed, elf.Soname is { } so ? NameId(so) : -1,
            rpath is null ? -1 : NameId(rpath), list is not null && list.Contains("stubs", StringComparison.Ordinal));
    }

    private int NameId(string name)
    {
        if (_nameIds.TryGetValue(name, out int id)) return id;
        _nameIds[name] = id = _names.Count;
        _names.Add(name);
        if (id >= _nameStamp.Length)
        {
            Array.Resize(ref _nameStamp, _nameStamp.Length * 2);
            Array.Resize(ref _nameObject, _nameStamp.Length);
        }
        return id;
    }

    private int OriginId(string origin)
    {
        if (_originIds.TryGetValue(origin, out int id)) return id;
        _originIds[origin] = id = _originNamesStubs.Count;
        _originNamesStubs.Add(origin.Contains("stubs", StringComparison.Ordinal));
        _originNames.Add(origin);
        return id;
    }

    private int IdentityId(string identity)
    {
        if (_identityIds.TryGetValue(identity, out int id)) return id;
        _identityIds[identity] = id = _identityIds.Count;
        if (id >= _identityStamp.Length)
        {
            Array.Resize(ref _identityStamp, _identityStamp.Length * 2);
            Array.Resize(ref _identityObject, _identityStamp.Length);
        }
        return id;
    }

    internal string OriginOf(string path)
    {
        string abs = Abs(path);
        int slash = abs.LastIndexOf('/');
        return slash <= 0 ? "/" : abs[..slash];
    }

    // searched: null on the fast path; a list when the trace is wanted (the lookup failed and is reported).
    private (string Path, ElfFile Elf)? Search(string name, LoadedObject obj, LoadedObject root, List<SearchedDirectory>? searched, out FoundAt at, out string? fatal)
    {
        at = default;
        fatal = null;
        int element;
        string? sub;
        if (name.Contains('/'))
        {
            // A DT_NEEDED with a slash is opened as is (after $ORIGIN and friends), never searched.
            string p = ExpandTokens(name, obj);
            at = new FoundAt(FoundIn.PathInNeeded, "path in DT_NEEDED", null, 0, null);
            var c = Try(p, out fatal, out string result);
            searched?.Add(new SearchedDirectory(p, at.Rule, result));
            return c;
        }

        if (obj.Elf.Runpath is null)
            foreach (var l in obj.LoaderChain())
            {
                if (l.EffectiveRpath is not { } rpath) continue;
                if (TryDirectories(Expanded(rpath, l, ":"), name, l, "DT_RPATH of ", searched, out fatal, out element, out sub) is { } r1)
                { at = new FoundAt(FoundIn.Rpath, "DT_RPATH of " + l.FileName, l, element, sub); return r1; }
                if (fatal is not null) return null;
            }
        return SearchTail(name, obj, root, searched, out at, out fatal);
    }

    /// <summary>The search after the inherited DT_RPATH lists: LD_LIBRARY_PATH, DT_RUNPATH, the cache, the system.</summary>
    private (string Path, ElfFile Elf)? SearchTail(string name, LoadedObject obj, LoadedObject root, List<SearchedDirectory>? searched, out FoundAt at, out string? fatal)
    {
        at = default;
        fatal = null;
        int element;
        string? sub;

        if (!string.IsNullOrEmpty(_env.LdLibraryPath))
        {
            if (TryDirectories(Expanded(_env.LdLibraryPath, root, ":;"), name, null, "LD_LIBRARY_PATH", searched, out fatal, out element, out sub) is { } r2)
            { at = new FoundAt(FoundIn.LdLibraryPath, "LD_LIBRARY_PATH", root, element, sub); return r2; }
            if (fatal is not null) return null;
        }

        if (obj.Elf.Runpath is { } runpath)
        {
            if (TryDirectories(Expanded(runpath, obj, ":"), name, obj, "DT_RUNPATH of ", searched, out fatal, out element, out sub) is { } r3)
            { at = new FoundAt(FoundIn.Runpath, "DT_RUNPATH of " + obj.FileName, obj, element, sub); return r3; }
            if (fatal is not null) return null;
        }

        if (obj.NoDefaultLibs)
        {
            searched?.Add(new SearchedDirectory("(ld.so.cache and system directories)", "skipped", $"{obj.FileName} is linked with -z nodefaultlib"));
            return null;
        }

        if (_cache is not null)
        {
            if (_cache.Lookup(name, _env.Class, _env.Machine, _env.Subdirectories) is { } cached)
            {
                var c = Try(cached, out fatal, out string result);
                searched?.Add(new SearchedDirectory(cached, "ld.so.cache", result));
                if (c is not null) { at = new FoundAt(FoundIn.Fixed, "ld.so.cache", null, 0, null); return c; }
                if (fatal is not null) return null;
            }
            else searched?.Add(new SearchedDirectory(_cache.Path, "ld.so.cache", $"no entry for {name}"));
        }
        if (_env.ConfDirectories.Count > 0)
        {
            if (TryDirectories(_env.ConfDirectories, name, null, "ld.so.conf (what ldconfig would cache)", searched, out fatal, out _, out _) is { } r4)
            { at = new FoundAt(FoundIn.Fixed, "ld.so.conf", null, 0, null); return r4; }
            if (fatal is not null) return null;
        }

        if (TryDirectories(_env.SystemDirectories, name, null, "system search path", searched, out fatal, out _, out _) is { } r5)
        { at = new FoundAt(FoundIn.Fixed, "system search path", null, 0, null); return r5; }
        return null;
    }

    /// <summary>A run-path list with its tokens expanded against an object's origin, split once and remembered.</summary>
    private string[] Expanded(string list, LoadedObject origin, string separators) => Expanded(list, origin.Origin, separators);

    private string[] Expanded(string list, string origin, string separators)
    {
        var key = (origin, list, separators);
        if (!_expanded.TryGetValue(key, out var dirs))
            _expanded[key] = dirs = Elements(list, separators).Select(e => ExpandTokens(e, origin)).ToArray();
        return dirs;
    }

    // ruleObject/rulePrefix: the rule's text ("DT_RPATH of " + file name) is only built when the trace is recorded.
    private (string Path, ElfFile Elf)? TryDirectories(IReadOnlyList<string> dirs, string name, LoadedObject? ruleObject, string rulePrefix,
        List<SearchedDirectory>? searched, out string? fatal, out int element, out string? sub)
    {
        fatal = null;
        element = -1;
        sub = null;
        string Rule() => ruleObject is null ? rulePrefix : rulePrefix + ruleObject.FileName;
        string Shown(string dir) => dir.Length == 0 ? "(empty element: the working directory)" : dir;
        foreach (var dir in dirs)
        {
            element++;
            string? result = null;
            foreach (var d in SearchDirectories(dir))
            {
                // glibc drops trailing slashes of a search dir (except "/") before appending the name.
                bool listed = _dirs.Contains(Abs(d.Length == 0 ? "." : d), name);
                if (!listed && _extraFiles.Count == 0) continue; // the common miss: no path built
                string candidate = d.Length == 0 ? name : (d.EndsWith('/') ? d.TrimEnd('/') : d) + "/" + name;
                if (!listed && !_extraFiles.Contains(candidate)) continue;
                var c = Try(candidate, out fatal, out string r);
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
                    searched?.Add(new SearchedDirectory(Shown(dir), Rule(), $"{name} is a symlink loop: ld.so stops searching this list here"));
                    return null;
                }
                result ??= r;
            }
            searched?.Add(new SearchedDirectory(Shown(dir), Rule(),
                result ?? (_dirs.DirectoryExists(Abs(dir.Length == 0 ? "." : dir)) ? $"no {name}" : "no such directory")));
        }
        return null;
    }

    /// <summary>The hwcaps subdirectories of DIR that exist, best first, then DIR itself; remembered per run.</summary>
    private string[] SearchDirectories(string dir)
    {
        if (_searchDirectories.TryGetValue(dir, out var list)) return list;
        // Which hwcaps subdirectories exist is asked once per physical directory, not per spelling of it.
        string physical = dir.Length == 0 ? "" : _dirs.PhysicalEquivalent(Abs(dir).TrimEnd('/'));
        if (!_existingSubdirectories.TryGetValue(physical, out var subs))
        {
            subs = _env.Subdirectories.Where(sub => sub.Length == 0 || _dirs.DirectoryExists(Abs(dir.TrimEnd('/') + "/" + sub))).ToArray();
            if (dir.Length > 0) _existingSubdirectories[physical] = subs;
        }
        var result = new List<string>(subs.Length + 1);
        foreach (var sub in subs) result.Add(sub.Length == 0 ? dir : dir.TrimEnd('/') + "/" + sub);
        if (!result.Contains(dir)) result.Add(dir);
        return _searchDirectories[dir] = [.. result];
    }

    /// <summary>Opens a candidate as ld.so's open_verify does.</summary>
    private (string Path, ElfFile Elf)? Try(string candidate, out string? fatal, out string result)
    {
        fatal = null;
        var f = _files.Get(Abs(candidate));
        switch (f.Kind)
        {
            case LibraryFileKind.Missing or LibraryFileKind.Directory:
                result = f.Kind == LibraryFileKind.Missing && new FileInfo(Abs(candidate)).LinkTarget is { } t ? $"dangling symlink to {t}" : $"no {Path.GetFileName(candidate)}";
                return null;
            case LibraryFileKind.Unreadable:
                result = $"{Path.GetFileName(candidate)} cannot be opened ({f.Error}): skipped";
                return null;
            case LibraryFileKind.Elf when f.Elf is { } elf:
                if (elf.Class != _env.Class) { result = $"{Path.GetFileName(candidate)} is {elf.TargetName}: skipped (other ELF class)"; return null; }
                if (elf.Machine != _env.Machine) { result = $"{Path.GetFileName(candidate)} is {elf.TargetName}: skipped (other machine)"; return null; }
                if (elf.OsAbi is not (0 or 3)) { fatal = $"{candidate}: ELF file OS ABI invalid"; result = fatal; return null; }
                if (!elf.IsSharedObject && elf.Type != ElfType.Executable) { fatal = $"{candidate}: only ET_DYN and ET_EXEC can be loaded"; result = fatal; return null; }
                result = "found";
                return (candidate, elf);
            default:
                long length = 0;
                try { length = new FileInfo(Abs(candidate)).Length; } catch (IOException) { }
                fatal = length < (_env.Class == ElfClass.Elf64 ? 64 : 52) ? $"{candidate}: file too short" : $"{candidate}: invalid ELF header";
                if (f.Kind == LibraryFileKind.Malformed) fatal = $"{candidate}: {f.Error}";
                result = fatal;
                return null;
        }
    }

    private static bool IsSymlinkLoop(string path)
    {
        // ELOOP from the kernel itself (the managed link APIs would shorten ".." in PATH first).
        NativeMethods.Stat(path, out int errno);
        if (errno != -1) return errno == 40;
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null) return false;
            info.ResolveLinkTarget(returnFinalTarget: true);
            return false;
        }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>$ORIGIN, $LIB and $PLATFORM (also as ${…}); like ld.so, other $-words stay as they are.</summary>
    public string ExpandTokens(string s, LoadedObject origin) => ExpandTokens(s, origin.Origin);

    private string ExpandTokens(string s, string origin)
    {
        if (!s.Contains('$')) return s;
        var sb = new System.Text.StringBuilder(s.Length + 32);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '$' && Token(s, i + 1, out int length) is { } token)
            {
                sb.Append(token switch { "ORIGIN" => origin, "LIB" => _env.DstLib, _ => _env.Platform });
                i += length;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static string? Token(string s, int at, out int length)
    {
        foreach (var name in (ReadOnlySpan<string>)["ORIGIN", "PLATFORM", "LIB"])
        {
            if (string.CompareOrdinal(s, at, "{" + name + "}", 0, name.Length + 2) == 0) { length = name.Length + 2; return name; }
            int end = at + name.Length;
            // A bare token must end the word: $ORIGINAL is not $ORIGIN (glibc's is_dst).
            if (string.CompareOrdinal(s, at, name, 0, name.Length) == 0 && (end == s.Length || !(char.IsAsciiLetterOrDigit(s[end]) || s[end] == '_')))
            { length = name.Length; return name; }
        }
        length = 0;
        return null;
    }

    private string Abs(string p) => p.StartsWith('/') ? p : _env.WorkingDirectory.TrimEnd('/') + "/" + p;
}
