using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Emulates glibc's ld.so loading one file (a library as <c>dlopen</c> opens it, a program as exec starts it):
/// objects are mapped breadth-first; each DT_NEEDED is first matched against loaded objects (a SONAME, a requested
/// name, a path), then searched by <see cref="LdSoSearch"/>, the one place the search order is written. This class
/// is the layer around it: the walk, interned names, and the memo that lets a thousand roots share their searches.
/// </summary>
public sealed partial class RuntimeResolver
{
    private readonly LoaderEnvironment _env;
    private readonly LibraryFileCache _files;
    private readonly DirectoryIndex _dirs;
    private readonly IReadOnlyDictionary<string, string> _runpathOverrides;
    private readonly bool _hasOverrides;
    private readonly IReadOnlySet<string> _extraFiles;
    private readonly LdSoSearch _search;

    // Interned names (DT_NEEDED, SONAMEs, paths), origins and file identities: the walk compares ints.
    private readonly Dictionary<string, int> _nameIds = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _originIds = new(StringComparer.Ordinal);
    private readonly List<bool> _originNamesStubs = [];
    private readonly Dictionary<string, int> _identityIds = new(StringComparer.Ordinal);
    private readonly Dictionary<ElfFile, ObjectFacts> _facts = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, ObjectFacts> _overriddenFacts = new(StringComparer.Ordinal);
    private readonly List<string> _originNames = [];
    private readonly Dictionary<(string? Runpath, bool NoDefaultLibs), int> _profiles = new();
    // Across the roots of a run, a DT_NEEDED search depends only on the name, the needing object (its file, its
    // $ORIGIN), the inherited DT_RPATH lists and, when LD_LIBRARY_PATH uses $ORIGIN, the root's directory: remembered
    // by those, a tree shared by a thousand roots is searched once.
    private readonly Dictionary<SearchKey, SearchOutcome> _searches = new();
    // A failed lookup's trace recurs for the next roots of a package (on the benchmark tree every repeat came within
    // five traces of its first), never far apart: only the last few are kept (each is some thirty objects).
    private readonly RecentMemo<TraceKey, IReadOnlyList<SearchedDirectory>> _traces = new(8);

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
        : this(env, files, dirs, cache, runpathOverrides, extraFiles, expectedRoots: 0)
    {
    }

    // expectedRoots: how many roots this resolver will walk, where known; its memos are sized for them at once.
    internal RuntimeResolver(LoaderEnvironment env, LibraryFileCache files, DirectoryIndex dirs, LdSoCacheIndex? cache,
        IReadOnlyDictionary<string, string>? runpathOverrides, IReadOnlySet<string>? extraFiles, int expectedRoots)
    {
        _env = env;
        _files = files;
        _dirs = dirs;
        _runpathOverrides = runpathOverrides ?? new Dictionary<string, string>();
        _hasOverrides = _runpathOverrides.Count > 0;
        _extraFiles = extraFiles ?? new HashSet<string>();
        _search = new LdSoSearch(env, files, dirs, cache, _extraFiles);
        if (expectedRoots > 1) ExpectRoots(expectedRoots);
    }

    // Per root, as counted over the 1,040-root benchmark tree (a CUDA/PyTorch-shaped install): 5.8 searches, 3 names,
    // 1.7 outcomes, 1 file. Sized a little above; a smaller tree regrows as before, a larger one leaves room unused
    // (fresh memory the tables never touch).
    private void ExpectRoots(int roots)
    {
        _searches.EnsureCapacity(6 * roots);
        _nameIds.EnsureCapacity(3 * roots);
        _names.EnsureCapacity(3 * roots);
        _outcomes.EnsureCapacity(2 * roots);
        _identityIds.EnsureCapacity(roots);
        _facts.EnsureCapacity(roots);
        _search.ExpectRoots(roots);
    }

    /// <summary>Loads PATH as ld.so would. ALL keeps every lookup (the ldd-style list); otherwise a clean load keeps
    /// none and a failed one its failures, and the rest is rebuilt on demand. LISTED: the ldd-style list is made
    /// (<see cref="RuntimeResolution.Listing"/>) and the records kept as without ALL.</summary>
    public RuntimeResolution Resolve(string path, bool recordAll = false) => Resolve(path, recordAll, listed: false);

    internal RuntimeResolution Resolve(string path, bool recordAll, bool listed)
    {
        var rootFile = _files.Get(Abs(path));
        if (rootFile.Kind != LibraryFileKind.Elf || rootFile.Elf is null)
            return new(path, NotLoadable(path, Abs(path), rootFile));
        if (!rootFile.Elf.IsSharedObject && rootFile.Elf.Type != ElfType.Executable)
            return new(path, $"{path}: not a shared object or executable ({rootFile.Elf.Type})");
        if (!_env.Accepts(rootFile.Elf))
            return new(path, $"{path}: built for {rootFile.Elf.TargetName}, not for the loader's ABI");

        Walks++;
        if (++_epoch == int.MaxValue)
        {
            Array.Clear(_nameStamp);
            Array.Clear(_identityStamp);
            _epoch = 1;
        }
        // A program started with exec gets $ORIGIN from /proc/self/exe, which the kernel has resolved through
        // symlinks; a library opened by path (dlopen, ld.so --list) keeps the directory as given.
        string origin = LoadedObject.IsProgram(rootFile.Elf) && NativeMethods.RealPath(Abs(path)) is { } real
            ? Path.GetDirectoryName(real) ?? "/" : OriginOf(path);
        string searchOrigin = _dirs.PhysicalEquivalent(origin);
        TrimSpellings();
        var rootFacts = FactsFor(rootFile.Elf, path);
        int rootOriginId = OriginId(searchOrigin);
        var r = new RuntimeResolution(path, null, this, _walkObjects, _walkLookups);
        _recordAll = recordAll || listed;
        int root = Map(r, new MappedRecord { OriginId = rootOriginId, Facts = rootFacts, Loader = -1, Name = -1 },
            NameId(path), (path, origin, searchOrigin));
        AddName(root, NameId(path));
        // The identity from the statx the file cache read the root after: no second stat per root.
        SetIdentity(root, rootFile.Identity ?? _dirs.Identity(Abs(path)), replace: true);
        int rtld = -1;
        if (_env.RtldPath is { } rp && _files.Get(rp) is { Kind: LibraryFileKind.Elf, Elf: { } rtldElf })
        {
            // ld.so maps itself first: DT_NEEDED entries naming it (libc's ld-linux-x86-64.so.2) need no search.
            var (rtldOrigin, rtldSearchOrigin) = _rtldOrigins ??= RtldOrigins(rp);
            rtld = r.AddGiven(new MappedRecord
            {
                OriginId = OriginId(rtldSearchOrigin), Facts = FactsFor(rtldElf, null),
                Loader = -1, Name = -1
            },
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
            {
                // Most DT_NEEDED entries of a large closure name an object already loaded (669,000 of the benchmark
                // tree's 933,000): with nothing to record, that is answered here, without a call.
                if (!_recordAll && IsLoaded(needed[k])) continue;
                if (!Lookup(r, needed[k], k, i, rootOrigin)) goto done;
            }
        }
    done:
        (_walkObjects, _walkLookups) = r.Seal(recordAll, listed);
        return r;
    }

    internal string Name(int id) => _names[id];

    // The loader's own directory as given and as searched: the same for every root.
    private (string Origin, string SearchOrigin)? _rtldOrigins;

    private (string, string) RtldOrigins(string rtld)
    {
        string origin = OriginOf(rtld);
        return (origin, _dirs.PhysicalEquivalent(origin));
    }

    /// <summary>Walks begun so far: a failed root's records lie in the working arrays until the next one.</summary>
    internal int Walks { get; private set; }

    /// <summary>Why a root that is not a readable ELF file cannot be loaded, naming the path once (some reasons
    /// already start with it: "/x.so: not a regular file").</summary>
    internal static string NotLoadable(string path, string abs, LibraryFile file)
    {
        string why = file.Error ?? "not an ELF file";
        if (why.StartsWith(abs + ": ", StringComparison.Ordinal)) why = why[(abs.Length + 2)..];
        return $"{path}: {why}";
    }

    /// <summary>Whether NAME matches an object of this walk: its SONAME, a name it was requested by, or its path
    /// (glibc's _dl_name_match_p).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool IsLoaded(int name) => _nameStamp[name] == _epoch;

    /// <summary>Maps one DT_NEEDED of object I as ld.so does; false when the load stops (a fatal candidate).</summary>
    private bool Lookup(RuntimeResolution r, int name, int k, int i, int rootOrigin)
    {
        if (IsLoaded(name))
        {
            int j = _nameObject[name];
            if (!_recordAll) return true;
            ref var loaded = ref r.Record(j);
            var kind = loaded.Loader < 0 && r.SearchLocation(j).Path == _env.RtldPath ? LookupKind.LoaderItself
                : LookupKind.AlreadyLoaded;
            r.Add(new LookupRecord { Name = name, NeededBy = i, Found = j, Kind = kind });
            return true;
        }

        ref var obj = ref r.Record(i);
        var facts = obj.Facts;
        int chain = facts.HasRunpath ? -1 : obj.Chain;
        // Most lookups repeat the last search of this DT_NEEDED entry (same file, directory, RPATH chain): compared
        // in place before the shared table is hashed.
        ref var memo = ref facts.LastSearch(k);
        if (memo.Outcome is null || memo.Origin != obj.OriginId || memo.Chain != chain || memo.RootOrigin != rootOrigin)
        {
            var key = new SearchKey(name, facts.Profile, obj.OriginId, chain, rootOrigin);
            if (!_searches.TryGetValue(key, out var searched))
                _searches[key] = searched = SearchAnyChain(key, r.SearchObject(i), r.SearchObject(0));
            memo = new LastSearch(obj.OriginId, chain, rootOrigin, searched);
        }
        var outcome = memo.Outcome!;
        if (!memo.Found)
        {
            r.Add(new LookupRecord
            {
                Name = name, NeededBy = i, Found = -1, Kind = outcome.Fatal is null
                ? LookupKind.NotFound : LookupKind.Fatal, Outcome = outcome
            });
            return outcome.Fatal is null;
        }

        // ld.so compares device and inode: a second path to a mapped file reuses that object.
        int identity = memo.Identity;
        if (identity >= 0 && _identityStamp[identity] == _epoch)
        {
            int same = _identityObject[identity];
            AddName(same, name);
            if (_recordAll) r.Add(new LookupRecord
            {
                Name = name, NeededBy = i, Found = same,
                Kind = LookupKind.SameFile, Outcome = outcome
            });
            return true;
        }
        var found = _hasOverrides ? FactsFor(outcome.Facts!.Elf, outcome.Path) : memo.FoundFacts!;
        if (memo.LoaderChain != obj.Chain || _hasOverrides)
        {
            memo.ChildChain = ChildChain(obj.Chain, memo.FoundOrigin, found);
            memo.LoaderChain = obj.Chain;
        }
        int mapped = Map(r, new MappedRecord
        {
            OriginId = memo.FoundOrigin, Facts = found, Loader = i, Name = name,
            Outcome = outcome, Chain = memo.ChildChain
        }, memo.PathName);
        AddName(mapped, name);
        if (identity >= 0)
        {
            _identityStamp[identity] = _epoch;
            _identityObject[identity] = mapped;
        }
        if (_recordAll) r.Add(new LookupRecord
        {
            Name = name, NeededBy = i, Found = mapped, Kind = LookupKind.Mapped,
            Outcome = outcome
        });
        return true;
    }

    private int Map(RuntimeResolution r, MappedRecord record, int pathName,
        (string Path, string Origin, string SearchOrigin)? given = null)
    {
        // A searched object comes with its chain (from the lookup's memo); the root and the loader itself start one.
        var facts = record.Facts;
        if (record.Loader < 0) record.Chain = ChildChain(0, record.OriginId, facts);
        record.MayNameStubs = MayNameStubs(facts, record.OriginId);
        int index = given is { } g ? r.AddGiven(record, g.Path, g.Origin, g.SearchOrigin) : r.Add(record);
        IndexNames(r, index, pathName);
        return index;
    }

    /// <summary>The inherited-DT_RPATH chain of an object in ORIGIN with FACTS, loaded by an object with chain
    /// LOADERCHAIN (0 for the root).</summary>
    private int ChildChain(int loaderChain, int origin, ObjectFacts facts)
    {
        // A new RPATH link: the lists (and the $ORIGIN they expand against) above it, plus this one. A link equal to
        // the one right above it searches the same directories again first, so it finds exactly what the chain above
        // finds: the chain is kept, and a package's deep chain of libraries sharing one RPATH stays one search
        // context instead of one per depth.
        bool sameLink = loaderChain != 0 && _chainTops[loaderChain] == (origin, facts.Rpath);
        return facts.Rpath < 0 || sameLink ? loaderChain : ChainId(loaderChain, origin, facts.Rpath);
    }

    private bool MayNameStubs(ObjectFacts facts, int origin) =>
        facts.MayNameStubs || facts.RunPathHasToken && _originNamesStubs[origin];

    private void IndexNames(RuntimeResolution r, int index, int pathName = -1)
    {
        int soname = r.Record(index).Facts.Soname;
        if (soname >= 0) AddName(index, soname);
        AddName(index, pathName >= 0 ? pathName : NameId(r.SearchLocation(index).Path));
    }
}
