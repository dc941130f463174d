using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Symbols;

/// <summary>
/// Follows ld's symbol table while inputs load in command-line order (ld-rules §5, §6): objects define and reference,
/// archive members are extracted when they define a symbol still undefined (rescanned to a fixpoint for a group),
/// an --as-needed library is kept only when it defines a symbol something references without a weak binding, and at
/// the end the libraries found for DT_NEEDED join: they satisfy the references of shared libraries, but a reference of
/// the program's own objects to them is "DSO missing from command line" (unless --copy-dt-needed-entries). What is
/// still undefined then becomes <see cref="UndefinedSymbols"/> or <see cref="SymbolVersionMissing"/>, filtered by the
/// link's policy (-shared, -z defs, --allow-shlib-undefined, --unresolved-symbols, --warn-unresolved-symbols).
/// For lld (<paramref name="lld"/>): archives are order-independent, nothing is dropped, DT_NEEDED are never loaded,
/// and a library's references are checked only when all its DT_NEEDED are inputs.
/// When a decision cannot be proved (an object not built yet, a predicted library, an unreadable table, LTO IR), the
/// model stops deciding: <see cref="Unknowable"/> says why, and the caller falls back to file-level predictions.
/// </summary>
internal sealed class SymbolModel(LibraryFileCache files, bool lld)
{
    private sealed class Ref(string name, string? version)
    {
        public string Name { get; } = name;
        public string? Version { get; } = version;
        public string? VersionFile { get; set; }
        public bool Strong { get; set; }
        public List<string> StrongObjects { get; } = [];
        public ResolvedLibrary? FirstLibrary { get; set; }
        /// <summary>The first file to reference the symbol, as ld spells it (an object or a library).</summary>
        public string? FirstReferrer { get; set; }
        public bool StrongShared { get; set; }
        /// <summary>Every library with a strong reference, in load order (lld reports each).</summary>
        public List<ResolvedLibrary> StrongLibraries { get; } = [];
    }

    private sealed record Provider(ResolvedLibrary Library, DynamicSymbolTable Table, bool FromNeeded);

    private sealed record ArchiveInput(string Path, string Spelling, int Group, ArchiveSymbols Symbols, string Display);

    private readonly Dictionary<string, string> _objectDefs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ref> _undefined = new(StringComparer.Ordinal);
    private readonly List<Provider> _libraries = [];
    private readonly List<ArchiveInput> _archives = [];
    private readonly HashSet<(string, long)> _extracted = [];
    private readonly HashSet<string> _neededNames = new(StringComparer.Ordinal);
    private readonly Dictionary<DynamicSymbolTable, string> _paths = [];
    /// <summary>How to ask an object (by its spelling) which undefined names its relocations use.</summary>
    private readonly Dictionary<string, Func<IReadOnlySet<string>, IReadOnlySet<string>>> _relocations =
        new(StringComparer.Ordinal);

    /// <summary>Why decisions can no longer be proved; null while they can.</summary>
    public string? Unknowable { get; private set; }

    /// <summary>Read errors of symbol tables, for a finding (malformed input never throws).</summary>
    public List<(string Path, ElfReadError Error)> ReadErrors { get; } = [];

    public void MakeUnknowable(string why) => Unknowable ??= why;

    private bool _executable;

    public void Start(LinkRequest req)
    {
        _executable = !req.Shared && !req.Relocatable;
        foreach (var d in req.DefinedByOption) _objectDefs[d] = "--defsym";
        foreach (var u in req.ForcedUndefined) Reference(u, null, strong: true, obj: null, lib: null);
        if (req.SymbolOptionsNotModelled.Count > 0)
            MakeUnknowable(string.Join(' ', req.SymbolOptionsNotModelled) + " changes symbol resolution");
        if (req.Relocatable) MakeUnknowable("-r (relocatable output) resolves no symbols");
        if (req.Scripts.Count > 0) MakeUnknowable("a -T linker script can define symbols");
    }

    public void Object(string path, string spelling)
    {
        if (Unknowable is not null) return;
        var f = files.Symbols(path);
        if (f.Object is not { } o) { Unreadable(path, f.Error); return; }
        _relocations[spelling] = names =>
        {
            using var file = new FileByteSource(path);
            return ObjectSymbols.UsedByRelocations(new BoundedSource(file, 0, file.Length), names);
        };
        AddObject(o, spelling);
    }

    private void AddObject(ObjectSymbols o, string spelling)
    {
        if (o.IsLtoIntermediate)
        {
            MakeUnknowable($"{spelling} holds LTO intermediate code (its symbols are decided by the compiler plugin)");
            return;
        }
        foreach (var s in o.Symbols)
        {
            if (!s.Defined) continue;
            if (s.Version is null || !s.VersionHidden) Define(s.Name, spelling);
            if (s.Version is not null) Define(s.Name + "@" + s.Version, spelling);
        }
        foreach (var s in o.Symbols)
            if (!s.Defined) Reference(s.Name, s.Version, !s.IsWeak, spelling, null);
    }

    public void Archive(string path, string spelling, LinkInput input)
    {
        if (Unknowable is not null) return;
        var f = files.Symbols(path);
        if (f.Archive is not { } a) { Unreadable(path, f.Error); return; }
        if (!a.HasIndex)
        {
            MakeUnknowable($"{spelling} has no symbol index (ld: archive has no index; run ranlib to add one)");
            return;
        }
        var arch = new ArchiveInput(path, spelling, input.Group, a, input.Display);
        _archives.Add(arch);
        if (input.WholeArchive)
        {
            if (!SymbolFiles.Try(a.Members, out var all, out var err)) { Unreadable(path, err); return; }
            foreach (var m in all!) Extract(arch, m);
            return;
        }
        // Both pull what is undefined when the archive is read. lld also remembers the rest lazily, so a later
        // reference still pulls a member (the scan at the end), while a later shared definition no longer stops one
        // already pulled (found by lld case 1200049:5). A symbol lazy in several archives stays with the first that
        // offered it: a member this archive pulls in may need a symbol an earlier archive defines, and lld takes it
        // from there, where GNU ld rescans only this one (found by lld case 7100008:1).
        Scan(lld ? _archives : [arch]);
    }

    /// <summary>--end-group: rescan the group's archives until no
    /// member is extracted (ld's OPEN_BFD_RESCAN loop).</summary>
    public void EndGroup(int group)
    {
        if (Unknowable is not null || lld) return;
        Scan(_archives.Where(a => a.Group == group).ToList());
    }

    private void Scan(List<ArchiveInput> archives)
    {
        for (bool changed = true; changed && Unknowable is null;)
        {
            changed = false;
            foreach (var arch in archives)
            {
                // A weak undefined symbol never extracts a member (ld and lld alike).
                foreach (var r in _undefined.Values.Where(r => r.Strong).ToList())
                {
                    if (!MemberDefining(arch, r, out var members) || !_undefined.ContainsKey(Key(r.Name, r.Version)))
                        continue;
                    // Only the first member (armap order) that defines it: once it is in, the symbol is defined,
                    // so ld pulls no other definer for it (found by case 1100078:4).
                    changed |= Extract(arch, members[0]);
                }
            }
        }
    }

    /// <summary>
    /// The members defining what R asks for, by the name the armap holds: a versioned reference (a shared library's
    /// sym@V) is satisfied only by a member defining sym@V or sym@@V, never by a plain sym — GNU ld and lld alike
    /// (found by lld case 2107084:5; checked with ld 2.40).
    /// </summary>
    private static bool MemberDefining(ArchiveInput arch, Ref r, out IReadOnlyList<long> members)
    {
        var index = arch.Symbols.Index;
        if (r.Version is null) return index.TryGetValue(r.Name, out members!);
        // Archive scans repeat for every reference and every fix verified: no name made when none can match.
        members = [];
        if (!arch.Symbols.HasNamesWithAt) return false;
        return index.TryGetValue($"{r.Name}@{r.Version}", out members!)
            || index.TryGetValue($"{r.Name}@@{r.Version}", out members!);
    }

    private bool Extract(ArchiveInput arch, long member)
    {
        if (!_extracted.Add((arch.Path, member))) return false;
        string memberName = "";
        if (!SymbolFiles.Try(() => arch.Symbols.Member(member, out memberName), out var o, out var err))
        {
            Unreadable(arch.Path, err);
            return false;
        }
        string spelling = $"{arch.Spelling}({memberName})";
        _relocations[spelling] = names => arch.Symbols.UsedByRelocations(member, names);
        AddObject(o!, spelling);
        return true;
    }

    /// <summary>A shared library on the command line; false when --as-needed drops it (ld-rules §5.4).</summary>
    public bool Shared(ResolvedLibrary lib, bool asNeeded, out bool assumed)
    {
        assumed = false;
        if (Unknowable is not null) { assumed = asNeeded; return true; }
        var f = files.Symbols(lib.Path);
        if (f.Shared is not { } table) { Unreadable(lib.Path, f.Error); assumed = asNeeded; return true; }
        _paths[table] = lib.Path;
        // lld reads a second shared object with a SONAME it already has as nothing (SharedFile::parse's soNames set):
        // neither its definitions nor its references count (found by lld case 1210007:5).
        if (lld && lib.Elf.Soname is { } soname && _libraries.Any(p => p.Library.Elf.Soname == soname)) return true;
        if (asNeeded && !lld)
        {
            // bfd keeps an as-needed library for a non-weak reference of an object, or of a shared library unless the
            // library is already on a loaded library's DT_NEEDED list (elf_link_add_object_symbols, on_needed_list).
            bool onNeededList = lib.NeededNamesSatisfied().Any(_neededNames.Contains);
            bool needed = false;
            foreach (var r in _undefined.Values)
            {
                if (!(r.StrongObjects.Count > 0 || (r.StrongShared && !onNeededList))) continue;
                if (!Lookup(table, r.Name, r.Version, out _)) continue;
                needed = true;
                break;
            }
            if (Unknowable is not null) { assumed = true; return true; }
            if (!needed) return false;
        }
        AddProvider(new Provider(lib, table, FromNeeded: false), dsoMissing: null);
        return true;
    }

    private void AddProvider(Provider p, List<LinkProblem>? dsoMissing)
    {
        _libraries.Add(p);
        foreach (var n in p.Library.Elf.Needed) _neededNames.Add(n);
        var satisfied = new List<(Ref, ElfSymbol)>();
        foreach (var (key, r) in _undefined)
            if (Lookup(p.Table, r.Name, r.Version, out var def) && !Shadowed(_libraries.Count - 1, r.Version, def))
                satisfied.Add((r, def));
        foreach (var (r, def) in satisfied)
        {
            _undefined.Remove(Key(r.Name, r.Version));
            // Found only through a DT_NEEDED: the program's own objects may not use it (ld-rules §6.4).
            if (p.FromNeeded && !p.Library.CopyDtNeeded && r.StrongObjects.Count > 0 && dsoMissing is not null)
                AddDsoMissing(dsoMissing, r, def, p.Library, RevivedFor(p.Library));
        }
        if (!SymbolFiles.Try(p.Table.Undefined, out var refs, out var err)) { Unreadable(p.Library.Path, err); return; }
        foreach (var s in refs!)
        {
            Reference(s.Name, s.Version, !s.IsWeak, null, p.Library);
            if (s.VersionFile is not null && _undefined.TryGetValue(Key(s.Name, s.Version), out var r))
                r.VersionFile ??= s.VersionFile;
        }
    }

    /// <summary>The loaded library whose DT_NEEDED revived a dropped --as-needed input (null for any other).</summary>
    private ResolvedLibrary? RevivedFor(ResolvedLibrary lib) => lib.Input is null || !lib.DroppedByAsNeeded ? null
        : _libraries.Select(p => p.Library).FirstOrDefault(l => l != lib
            && l.Elf.Needed.Any(lib.NeededNamesSatisfied().Contains));

    private static void AddDsoMissing(
        List<LinkProblem> problems, Ref r, ElfSymbol def, ResolvedLibrary lib, ResolvedLibrary? revivedFor)
    {
        foreach (var obj in r.StrongObjects.Distinct(StringComparer.Ordinal))
        {
            int i = problems.FindIndex(p => p is DsoMissingFromCommandLine d
                && d.ReferencedBy == obj && d.Library == lib);
            if (i < 0)
            {
                problems.Add(new DsoMissingFromCommandLine(obj, [r.Name], lib)
                {
                    FirstReferrer = r.FirstReferrer,
                    RevivedFor = revivedFor,
                    // ld names the symbol as the library defines it: fn@@V (default version), fn@V (hidden).
                    FirstSymbolAsDefined = def.Version is null ? r.Name
                        : r.Name + (def.VersionHidden ? "@" : "@@") + def.Version,
                });
            }
            else
            {
                var d = (DsoMissingFromCommandLine)problems[i];
                problems[i] = d with { Symbols = [.. d.Symbols, r.Name] };
            }
        }
    }

    /// <summary>
    /// After the DT_NEEDED walk: libraries loaded for DT_NEEDED join (bfd), then what is still undefined is judged by
    /// the link's policy. Returns no problems when the model could not decide (see <see cref="Unknowable"/>).
    /// </summary>
    public List<LinkProblem> Finish(LinkRequest req, IReadOnlyList<ResolvedLibrary> libraries,
        IReadOnlyList<LinkProblem> fileProblems,
        IReadOnlySet<string> namesOnCommandLine)
    {
        var problems = new List<LinkProblem>();
        if (Unknowable is not null) return problems;
        if (lld) Scan(_archives);
        var providersForDiagnosis = LoadNeededLibraries(lld ? libraries
            : NeededWalkOrder.Of(libraries, l => LinkResolver.WalksNeededOf(req, l)), problems);
        if (Unknowable is not null) return [];

        string? policy = req.UnresolvedSymbols;
        bool objectsChecked = policy switch
        {
            "ignore-all" or "ignore-in-object-files" => false,
            "report-all" or "ignore-in-shared-libs" => true,
            _ => !req.Shared || req.NoUndefined,
        };
        bool sharedChecked = !lld
            ? req.ChecksSharedLibraryDependencies
            : !(req.AllowShlibUndefined ?? req.Shared) && !req.IgnoreUnresolvedInSharedLibs;
        bool warn = req.WarnUnresolvedSymbols;

        var byObject = new Dictionary<string, List<Ref>>(StringComparer.Ordinal);
        var byLibrary = new Dictionary<ResolvedLibrary, List<Ref>>();
        foreach (var r in _undefined.Values)
        {
            if (!r.Strong || IsLinkerDefined(r.Name)) continue;
            // An executable relaxes general- and local-dynamic TLS accesses, so their __tls_get_addr calls disappear
            // (x86-64 and i386 backends); a static link has no definition of it and still links.
            if (_executable && r.Name is "__tls_get_addr" or "___tls_get_addr") continue;
            if (r.StrongObjects.Count > 0)
            {
                // lld: an object's reference to a symbol of a library that
                // only a DT_NEEDED names is the lld face of "DSO missing".
                // Only where the output checks its objects' references: a -shared output may leave them undefined
                // (found by case 1200066:5).
                ElfSymbol found = default!;
                if (lld && objectsChecked
                    && providersForDiagnosis.FirstOrDefault(p => Lookup(p.Table, r.Name, r.Version, out found))
                        is { } hidden)
                    AddDsoMissing(problems, r, found, hidden.Library, revivedFor: null);
                else if (objectsChecked)
                {
                    foreach (var o in r.StrongObjects.Distinct(StringComparer.Ordinal))
                    {
                        if (!byObject.TryGetValue(o, out var list)) byObject[o] = list = [];
                        list.Add(r);
                    }
                }
            }
            if (!r.StrongShared || !sharedChecked) continue;
            foreach (var lib in ReportingLibraries(r, namesOnCommandLine))
            {
                if (!byLibrary.TryGetValue(lib, out var list)) byLibrary[lib] = list = [];
                list.Add(r);
            }
        }
        foreach (var (obj, all) in byObject.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var refs = all;
            if (_relocations.TryGetValue(obj, out var used))
            {
                var names = all.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
                if (!SymbolFiles.Try(() => used(names), out var usedNames, out var err))
                {
                    Unreadable(obj, err);
                    return [];
                }
                refs = all.Where(r => usedNames!.Contains(r.Name)).ToList();
            }
            // --gc-sections: the referencing section may be discarded (then ld says nothing), and which sections
            // survive is not modelled: say it, as a warning that does not decide the outcome.
            if (refs.Count > 0) Report(problems, obj, true, refs, null, warn || req.GcSections, fileProblems);
        }
        foreach (var (lib, refs) in byLibrary.OrderBy(kv => libraries.ToList().IndexOf(kv.Key)))
            Report(problems, lib.Spelling, false, refs, lib, warn, fileProblems);
        return problems;
    }

    /// <summary>
    /// Which libraries' references to a still-undefined symbol the linker reports. bfd: the first library only, and
    /// none when an object references it too (the object's error is reported instead). lld: every library whose
    /// DT_NEEDED are all inputs, whether or not an object references the symbol as well.
    /// </summary>
    private IEnumerable<ResolvedLibrary> ReportingLibraries(Ref r, IReadOnlySet<string> namesOnCommandLine)
    {
        if (lld) return r.StrongLibraries.Where(l => l.Elf.Needed.All(namesOnCommandLine.Contains));
        return r.StrongObjects.Count == 0 && r.FirstLibrary is { } first ? [first] : [];
    }

    /// <summary>
    /// The libraries found for DT_NEEDED, and the dropped --as-needed inputs they revive, join the symbol table in
    /// bfd's walk order (<see cref="NeededWalkOrder"/>); for lld, which never loads them, they are returned instead:
    /// they only tell what a missing input would have provided.
    /// </summary>
    private List<Provider> LoadNeededLibraries(IReadOnlyList<ResolvedLibrary> libraries, List<LinkProblem> problems)
    {
        var providersForDiagnosis = new List<Provider>();
        foreach (var lib in libraries)
        {
            if (lib.Input is not null && !lib.DroppedByAsNeeded) continue;
            var f = files.Symbols(lib.Path);
            if (f.Shared is not { } table)
            {
                Unreadable(lib.Path, f.Error);
                break;
            }
            _paths[table] = lib.Path;
            var p = new Provider(lib, table, FromNeeded: true);
            if (lld) providersForDiagnosis.Add(p);
            // A revived --as-needed input is loaded like any DT_NEEDED library (DYN_NO_NEEDED, as the needing
            // library's class says): an object's use of it is "DSO missing" too (ld 2.40; found by case 80232:5).
            else AddProvider(p, problems);
        }
        return providersForDiagnosis;
    }

    private void Report(List<LinkProblem> problems, string by, bool fromObject, List<Ref> refs, ResolvedLibrary? lib,
        bool warn, IReadOnlyList<LinkProblem> fileProblems)
    {
        var plain = new List<string>();
        foreach (var group in refs.GroupBy(r => r.Version))
        {
            if (group.Key is not { } version) { plain.AddRange(group.Select(r => r.Name)); continue; }
            // A versioned reference with a provider of that name under other versions: the version is what is missing.
            // Also when the symbol is absent: the library DT_VERNEED
            // names is loaded but lacks the version (an older glibc).
            string? file = group.First().VersionFile;
            var provider = _libraries.FirstOrDefault(p => file is not null
                && (p.Library.Elf.Soname ?? Path.GetFileName(p.Library.Path)) == file
                && !p.Table.DefinedVersions.Contains(version))
                ?? _libraries.FirstOrDefault(p => LookupAny(p.Table, group.First().Name));
            if (provider is null) { plain.AddRange(group.Select(r => r.Name + "@" + version)); continue; }
            problems.Add(new SymbolVersionMissing(by,
                group.Select(r => r.Name).Order(StringComparer.Ordinal).ToList(), version,
                provider.Library.Spelling, provider.Table.DefinedVersions, warn));
        }
        if (plain.Count == 0) return;
        var missing = lib is null ? [] : fileProblems.OfType<NeededNotFound>().Where(n => n.By == lib).ToList();
        var names = plain.Select(p => p.Split('@')[0]).ToHashSet(StringComparer.Ordinal);
        problems.Add(new UndefinedSymbols(by, fromObject,
            plain.Order(StringComparer.Ordinal).ToList(), warn, lib, missing)
        {
            DefinedInArchives = _archives.Where(a => names.Any(a.Symbols.Index.ContainsKey)).Select(a => a.Display)
                .Distinct(StringComparer.Ordinal).ToList(),
        });
    }

    /// <summary>Whether the shared library at <paramref name="path"/>
    /// defines any of <paramref name="names"/> (hash lookups).</summary>
    public bool Defines(string path, IEnumerable<string> names) =>
        files.Symbols(path).Shared is { } t
            && names.Any(n => SymbolFiles.TryLookup(t, n, out var d, out _) && d!.Count > 0);

    internal static bool IsLinkerDefined(string name) =>
        name.StartsWith("__start_", StringComparison.Ordinal) || name.StartsWith("__stop_", StringComparison.Ordinal)
            || s_linkerDefined.Contains(name);

    /// <summary>Symbols ld's default scripts and ELF backend define
    /// (PROVIDE, _GLOBAL_OFFSET_TABLE_, __ehdr_start...).</summary>
    private static readonly HashSet<string> s_linkerDefined = new(StringComparer.Ordinal)
    {
        "_GLOBAL_OFFSET_TABLE_", "_DYNAMIC", "_PROCEDURE_LINKAGE_TABLE_", "__ehdr_start", "__executable_start",
        "etext", "_etext", "__etext", "edata", "_edata", "end", "_end", "__bss_start", "__bss_start__", "_bss_end__",
        "__end__", "__preinit_array_start",
        "__preinit_array_end", "__init_array_start", "__init_array_end", "__fini_array_start", "__fini_array_end",
        "__rela_iplt_start", "__rela_iplt_end", "__rel_iplt_start", "__rel_iplt_end", "_TLS_MODULE_BASE_",
        "__GNU_EH_FRAME_HDR",
        "__dso_handle", "data_start", "__data_start", "_start", "__global_pointer$",
    };

    private void Define(string key, string spelling)
    {
        _objectDefs.TryAdd(key, spelling);
        _undefined.Remove(key);
    }

    private void Reference(string name, string? version, bool strong, string? obj, ResolvedLibrary? lib)
    {
        string key = Key(name, version);
        if (_undefined.TryGetValue(key, out var r))
        {
            Note(r, strong, obj, lib);
            return;
        }
        if (IsDefined(name, version)) return;
        r = new Ref(name, version);
        Note(r, strong, obj, lib);
        _undefined[key] = r;
    }

    private static void Note(Ref r, bool strong, string? obj, ResolvedLibrary? lib)
    {
        r.Strong |= strong;
        r.FirstReferrer ??= obj ?? lib?.Spelling;
        if (obj is not null && strong) r.StrongObjects.Add(obj);
        if (lib is not null)
        {
            r.FirstLibrary ??= lib;
            r.StrongShared |= strong;
            if (strong && !r.StrongLibraries.Contains(lib)) r.StrongLibraries.Add(lib);
        }
    }

    private bool IsDefined(string name, string? version)
    {
        if (_objectDefs.ContainsKey(Key(name, version))) return true;
        for (int i = 0; i < _libraries.Count; i++)
            if (Lookup(_libraries[i].Table, name, version, out var def) && !Shadowed(i, version, def)) return true;
        return false;
    }

    /// <summary>
    /// bfd: a default-version definition (sym@@V) is an alias of the plain name, and a plain name that an earlier
    /// shared library on the command line already defines stays that library's; so library
    /// <paramref name="index"/>'s sym@@V does not satisfy a reference to sym@V then (two SONAME-less copies of one
    /// library, an old and a new build). An earlier copy that ld loaded for a DT_NEEDED entry (found by a search, or
    /// an --as-needed input revived by one) shadows nothing: ld 2.40 accepts the reference then (GNU ld case
    /// 7500033:5; the command-line case was aarch64 case 3202079:2).
    /// </summary>
    private bool Shadowed(int index, string? version, ElfSymbol def)
    {
        if (lld || version is null || def.VersionHidden) return false;
        for (int i = 0; i < index && i < _libraries.Count; i++)
            if (!_libraries[i].FromNeeded && LookupAny(_libraries[i].Table, def.Name)) return true;
        return false;
    }

    private bool Lookup(DynamicSymbolTable table, string name, string? version, out ElfSymbol symbol)
    {
        symbol = default;
        if (!SymbolFiles.TryLookup(table, name, out var defs, out var err))
        {
            Unreadable(_paths.GetValueOrDefault(table, "a shared library"), err);
            return false;
        }
        foreach (var d in defs!)
        {
            // ld-rules §6.3: a versioned reference needs exactly that version; an unversioned one takes the default.
            if (!d.Satisfies(version)) continue;
            symbol = d;
            return true;
        }
        return false;
    }

    private bool LookupAny(DynamicSymbolTable table, string name) =>
        SymbolFiles.TryLookup(table, name, out var defs, out _) && defs!.Count > 0;

    private static string Key(string name, string? version) => version is null ? name : name + "@" + version;

    private void Unreadable(string path, ElfReadError? error)
    {
        if (error is not null) ReadErrors.Add((path, error));
        MakeUnknowable($"{path}: symbols unreadable ({error})");
    }
}
