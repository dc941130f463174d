using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Symbols;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// Emulates GNU ld (bfd) library resolution: direct inputs (ldfile_open_file_search), linker scripts, then the
/// DT_NEEDED walk (ldelf_after_open / ldelf_search_needed). Rules and their sources: shared/design/ld-rules.md.
/// </summary>
public sealed partial class LinkResolver(ResolverContext ctx, LibraryFileCache files)
{
    private const int MaxScriptDepth = 16;

    private readonly List<ResolvedLibrary> _libraries = [];
    private readonly List<LinkProblem> _problems = [];
    private readonly List<string> _notes = [];
    private SymbolModel? _symbolModel;
    private int _scriptGroups;
    private LinkSearchLists? _searchLists;

    private string S => ctx.Sysroot;

    /// <summary>lld (ld-rules §9): no DT_NEEDED search, no built-in SEARCH_DIRs, an incompatible candidate is an
    /// error.</summary>
    private bool Lld => ctx.Linker.Flavor == LinkerFlavor.Lld;

    private SymbolModel Symbols => _symbolModel ??= new SymbolModel(files, Lld);

    /// <summary>ld's search lists for this link (built once; ld.so.conf notes join this link's notes).</summary>
    private LinkSearchLists Lists => _searchLists ??= new LinkSearchLists(ctx, files, _notes);

    public ResolvedLink Resolve()
    {
        var req = ctx.Request;
        Symbols.Start(req);
        if (ctx.ObjectsUnknown) Symbols.MakeUnknowable("the link's objects are not known");
        OpenInputs(req);

        // After -static then -Bdynamic, ld rejects each dynamic object yet still walks their DT_NEEDED entries
        // (found by case 1100066:0).
        if (!req.StaticLink || (!Lld && _libraries.Count > 0))
        {
            if (Lld) ListNeededForLld();
            else if (_problems.Any(p => p is InputNotFound or InputUnusable { Fatal: true }))
                // ld stops after opening the inputs when one is missing or unusable, before ldelf_after_open walks
                // the DT_NEEDED entries: it says nothing about them in this run (checked against binutils 2.40).
                _notes.Add("an input is missing or unusable, so ld stops before it searches DT_NEEDED entries; they " +
                    "are checked once the inputs are found");
            else WalkNeeded();
        }

        var namesOnCommandLine = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in _libraries.Where(l => l.Input is not null))
        {
            // lld's name for an input (SharedFile::soName): its SONAME, else its file name when found by -l/-l:,
            // else its path as given ("b/libx.so" does not make a DT_NEEDED "libx.so" known).
            namesOnCommandLine.Add(l.Elf.Soname
                ?? (l.Input!.Kind == LinkInputKind.Library ? Path.GetFileName(l.Path) : l.Spelling));
        }
        // A missing or unusable input stops ld before symbols are resolved: it reports no undefined references then.
        if (_problems.Any(p => p is InputNotFound or InputUnusable { Fatal: true }))
            Symbols.MakeUnknowable("an input is missing or unusable, so ld stops before resolving symbols");
        var symbolProblems = Symbols.Finish(req, _libraries, _problems, namesOnCommandLine);
        // A dynamic object rejected in a -static link lends its definitions, and ld checks its references like any
        // shared library's once its DT_NEEDED entries were walked (random case 2500157:1; checked with ld 2.40).
        bool symbolsChecked = Symbols.Unknowable is null;
        if (!symbolsChecked) _notes.Add($"symbol-level prediction not possible ({Symbols.Unknowable}): a missing " +
            $"DT_NEEDED is assumed to fail the link");
        if (!symbolsChecked && LibraryReferencesBeforeBuild.NotApplicable(ctx, Lld, _problems) is null)
            symbolProblems.AddRange(LibraryReferencesBeforeBuild.Find(ctx, files, _libraries, _notes));
        for (int i = 0; i < _problems.Count; i++)
        {
            if (_problems[i] is not NeededNotFound n) continue;
            // ld only warns about a missing DT_NEEDED; the link fails on the references it would have resolved (§5.1).
            bool fails = !Lld && (!symbolsChecked
                || symbolProblems.OfType<UndefinedSymbols>().Any(u => !u.Warning
                && u.MissingNeeded.Any(m => m.Name == n.Name && m.By == n.By)));
            _problems[i] = n with { Consequential = fails, SymbolsChecked = symbolsChecked, Lld = Lld };
        }
        // "DSO missing from command line" is fatal to ld as it loads that DT_NEEDED library: nothing later in the walk
        // is reported, nor the final link's undefined references (binutils 2.40; found by the topology long run).
        if (!Lld && symbolProblems.OfType<DsoMissingFromCommandLine>().MinBy(d => _libraries.IndexOf(d.Library))
            is { } firstDso)
        {
            int loaded = _libraries.IndexOf(firstDso.Library);
            _problems.RemoveAll(p => p is NeededNotFound n && n.LoadedBefore > loaded);
            symbolProblems = [firstDso];
        }
        _problems.AddRange(symbolProblems.Select(p => p is UndefinedSymbols { FromObject: true } u
            ? u with { DefinedInIndirectLibraries = IndirectProviders(u) } : p));
        // lld loads no DT_NEEDED library; the ones ld's search found only served the diagnosis above.
        return new ResolvedLink(Lld ? _libraries.Where(l => l.Input is not null).ToList() : _libraries, _problems,
            _notes)
        {
            SymbolsChecked = symbolsChecked,
            SymbolReadErrors =
                Symbols.ReadErrors.Select(e => $"{e.Path}: {e.Error}").Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>
    /// For an object's undefined references: a DT_NEEDED of a library in this link (loaded, dropped by --as-needed, or
    /// not searched) that ld's search finds and that defines one of the symbols: the library to name on the command
    /// line.
    /// </summary>
    private List<string> IndirectProviders(UndefinedSymbols u)
    {
        var result = new List<string>();
        var names = u.Symbols.Select(x => x.Split('@')[0]).ToList();
        foreach (var lib in _libraries.ToList())
        {
            foreach (var needed in lib.Elf.Needed)
            {
                var loaded = _libraries.FirstOrDefault(l => l.NeededName == needed && l.Input is null);
                string? path = loaded?.Path ?? SearchNeeded(needed, lib, [])?.Path;
                if (path is not null && !result.Contains(path) && Symbols.Defines(path, names)) result.Add(path);
            }
        }
        return result;
    }

    /// <summary>
    /// lld never searches DT_NEEDED (ld-rules §9.1): a name no input satisfies stays unloaded. ld's search still tells
    /// where the library is, to explain "undefined symbol" errors and to suggest the input lld needs.
    /// </summary>
    private void ListNeededForLld()
    {
        var processed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var by in _libraries.Where(l => l.Input is not null).ToList())
        {
            foreach (var name in by.Elf.Needed)
            {
                if (!processed.Add(name) || IsSatisfiedByLoaded(name)) continue;
                var attempts = new List<SearchAttempt>();
                var found = SearchNeeded(name, by, attempts);
                if (found is not null) _libraries.Add(found);
                _problems.Add(new NeededNotFound(name, by, attempts));
            }
        }
    }

    private bool IsTargetCompatible(ElfFile f) => ctx.Linker.IsTarget(f);
}
