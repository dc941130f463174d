using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Scripts;
using NativeLinkGuard.Symbols;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// Emulates GNU ld (bfd) library resolution: direct inputs (ldfile_open_file_search), linker scripts, then the
/// DT_NEEDED walk (ldelf_after_open / ldelf_search_needed). Rules and their sources: shared/design/ld-rules.md.
/// </summary>
public sealed class LinkResolver(ResolverContext ctx, LibraryFileCache files)
{
    private const int MaxScriptDepth = 16;

    private readonly List<ResolvedLibrary> _libraries = [];
    private readonly List<LinkProblem> _problems = [];
    private readonly List<string> _notes = [];
    private SymbolModel? _symbolModel;
    private int _scriptGroups;
    private List<SearchDirectory>? _librarySearch;
    private IReadOnlyList<string>? _ldSoConfDirs;

    private string S => ctx.Sysroot;

    /// <summary>lld (ld-rules §9): no DT_NEEDED search, no built-in SEARCH_DIRs, an incompatible candidate is an
    /// error.</summary>
    private bool Lld => ctx.Linker.Flavor == LinkerFlavor.Lld;

    private SymbolModel Symbols => _symbolModel ??= new SymbolModel(files, Lld);

    private bool _missingAtGroupEnd;

    /// <summary>
    /// GNU ld opens no further input after a fatal one (wrong format by path, a script syntax error, a dynamic object
    /// in a static link), nor after the end of a group (a script's GROUP, --end-group) once any input was missing:
    /// open_input_bfds ends each group with "exit if any file was missing" (checked with ld 2.40). lld goes on.
    /// </summary>
    private bool Stopped => !Lld && (_missingAtGroupEnd || _problems.Any(p => p is InputUnusable { Fatal: true }));

    private void EndGroup(int group)
    {
        Symbols.EndGroup(group);
        if (!Lld && _problems.Any(p => p is InputNotFound)) _missingAtGroupEnd = true;
    }

    public ResolvedLink Resolve()
    {
        var req = ctx.Request;
        Symbols.Start(req);
        if (ctx.ObjectsUnknown) Symbols.MakeUnknowable("the link's objects are not known");
        int group = 0;
        foreach (var input in req.Inputs)
        {
            if (input.Group != group && group != 0) EndGroup(group);
            group = input.Group;
            if (Stopped) break;
            ResolveInput(input, null, 0);
            if (Stopped) break;
        }
        if (group != 0) Symbols.EndGroup(group);
        // GNU ld rejects the dynamic objects of a -static link once every input is open: a missing or fatal input
        // ends the link first, and those lines are never printed (checked with ld 2.40).
        if (!Lld && (Stopped || _problems.Any(p => p is InputNotFound)))
            _problems.RemoveAll(p => p is InputUnusable { Fatal: false });
        // lld returns after collecting the inputs when one failed, before it parses them and finds the wrong target.
        if (Lld && LldErrors > 0) _problems.RemoveAll(p => p is InputUnusable { WrongTarget: true });

        if (!req.StaticLink)
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
            namesOnCommandLine.Add(l.Elf.Soname ?? Path.GetFileName(l.Path));
        }
        // A missing or unusable input stops ld before symbols are resolved: it reports no undefined references then.
        if (_problems.Any(p => p is InputNotFound or InputUnusable { Fatal: true }))
            Symbols.MakeUnknowable("an input is missing or unusable, so ld stops before resolving symbols");
        var symbolProblems = Symbols.Finish(req, _libraries, _problems, namesOnCommandLine);
        // A dynamic object rejected in a -static link lends its definitions, but ld checks none of its references.
        var rejected = _problems.OfType<InputUnusable>().Where(u => !u.Fatal).Select(u => u.Path).ToHashSet();
        symbolProblems.RemoveAll(p => p is UndefinedSymbols { FromObject: false } u
            && rejected.Contains(u.ReferencedBy));
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

    /// <summary>-L dirs in command-line order, then the linker's SEARCH_DIRs (ld-rules §1.1, §2).</summary>
    public IReadOnlyList<SearchDirectory> LibrarySearchList()
    {
        if (_librarySearch is not null) return _librarySearch;
        var list = new List<SearchDirectory>();
        foreach (var l in ctx.Request.LibraryPaths)
            list.Add(new SearchDirectory(SysrootPaths.LibraryPath(l, S, ctx.WorkingDirectory),
                SearchRule.CommandLineLibraryPath, SysrootPaths.LibraryPathAsWritten(l, S)));
        foreach (var d in ctx.Linker.SearchDirs)
            list.Add(new SearchDirectory(SysrootPaths.LibraryPath(d, S, ctx.WorkingDirectory),
                SearchRule.DefaultSearchDir));
        return _librarySearch = list;
    }

    // ---- direct inputs -------------------------------------------------------------------------------

    private void ResolveInput(LinkInput input, string? scriptPath, int depth)
    {
        if (input.Kind == LinkInputKind.Library)
            ResolveLibrarySearch(input, depth);
        else
            ResolveFileInput(input, scriptPath, depth);
    }

    private void ResolveLibrarySearch(LinkInput input, int depth)
    {
        var attempts = new List<SearchAttempt>();
        string[] names = input.Verbatim ? [input.Name]
            : input.Static ? ["lib" + input.Name + ".a"]
            : ["lib" + input.Name + ".so", "lib" + input.Name + ".a"];
        foreach (var dir in LibrarySearchList())
        {
            foreach (var name in names)
            {
                string path = Path.Combine(dir.Path, name);
                var f = files.Get(path);
                if (!f.Exists || f.Kind == LibraryFileKind.Unreadable)
                {
                    attempts.Add(new SearchAttempt(dir.Path, dir.Rule, path, f.Kind == LibraryFileKind.Unreadable
                        ? AttemptOutcome.Unreadable : AttemptOutcome.Absent, f.Error));
                    continue;
                }
                string? incompatible = StaticDynamic(input, f) ? null
                    : f.Elf is { } header && !IsTargetCompatible(header) ? header.TargetName
                    // lld reads a script whatever its OUTPUT_FORMAT says (checked with lld 14).
                    : f.Kind == LibraryFileKind.Text && !Lld ? IncompatibleScriptFormat(path) is { } fmt
                        ? $"a linker script for {fmt}" : null
                    : null;
                if (incompatible is not null && Lld)
                {
                    // lld takes the first candidate and then rejects it (ld-rules §9.3).
                    attempts.Add(new SearchAttempt(dir.Path, dir.Rule, path, AttemptOutcome.Incompatible,
                        incompatible));
                    string spelled = Path.Combine(dir.Spelling, name);
                    string why = $"{spelled} is incompatible with {ctx.Linker.TargetName}";
                    _problems.Add(new InputUnusable(input, spelled, why) { Lld = true, WrongTarget = true });
                    return;
                }
                if (incompatible is not null)
                {
                    attempts.Add(new SearchAttempt(dir.Path, dir.Rule, path, AttemptOutcome.Incompatible,
                        incompatible));
                    _problems.Add(new IncompatibleSkipped(input, Path.Combine(dir.Spelling, name), incompatible,
                        ctx.Linker.TargetName));
                    continue;
                }
                attempts.Add(new SearchAttempt(dir.Path, dir.Rule, path, AttemptOutcome.Accepted));
                Accept(input, path, f, depth, spelling: Path.Combine(dir.Spelling, name));
                return;
            }
        }
        _problems.Add(new InputNotFound(input, attempts));
    }

    private void ResolveFileInput(LinkInput input, string? scriptPath, int depth, string? scriptSpelling = null)
    {
        string name = input.Name;
        if (scriptPath is null)
        {
            string path = ctx.Absolute(name);
            var f = files.Get(path);
            if (!f.Exists)
            {
                if (IsObjectName(name))
                {
                    _notes.Add($"{name}: object file not built yet; assumed to exist when the link runs");
                    Symbols.MakeUnknowable($"{name} is not built yet");
                    return;
                }
                _problems.Add(new InputNotFound(input,
                    [new SearchAttempt(Path.GetDirectoryName(path) ?? "", SearchRule.WorkingDirectory, path,
                    AttemptOutcome.Absent, f.Error)]));
                return;
            }
            if (f.Elf is { } e && !IsTargetCompatible(e) && !StaticDynamic(input, f))
            {
                // Named by path, never skipped: "error adding symbols: file in wrong format" (ld-rules §1.9).
                _problems.Add(new InputUnusable(input, name, $"{name}: error adding symbols: file in wrong format")
                {
                    Detail = $"{name} is {e.TargetName}; the link is {ctx.Linker.TargetName}",
                    WrongTarget = true,
                });
                return;
            }
            Accept(input, path, f, depth, spelling: name);
            return;
        }
        ResolveScriptMember(input, scriptPath, depth, scriptSpelling ?? scriptPath);
    }

    private void ResolveScriptMember(LinkInput input, string scriptPath, int depth, string scriptSpelling)
    {
        // A script member (ld-rules §3): =/ and $SYSROOT always prefixed; absolute ones prefixed only when the
        // script's realpath lies inside the sysroot; relative ones: script dir, cwd, then every search dir.
        string name = input.Name;
        var attempts = new List<SearchAttempt>();
        // Spelled as ld tries it: the script's dir as ld opened the script, the name itself, "-L dir/" + name.
        var candidates = new List<(string Path, string Dir, SearchRule Rule, string Spelled)>();
        string scriptDir = Path.GetDirectoryName(scriptPath) ?? "/";
        string? absolute = name.StartsWith('=') ? S + name[1..]
            : name.StartsWith("$SYSROOT", StringComparison.Ordinal) ? S + name["$SYSROOT".Length..]
            : !name.StartsWith('/') ? null
            : SysrootPaths.IsInside(SysrootPaths.RealPath(scriptPath), S) ? S + name : name;
        if (absolute is not null)
            candidates.Add((absolute, "", SearchRule.AbsoluteName, absolute));
        else
        {
            string spelledDir = Path.GetDirectoryName(scriptSpelling) is { Length: > 0 } sd ? sd : ".";
            candidates.Add((Path.Combine(scriptDir, name), scriptDir, SearchRule.ScriptDirectory,
                $"{spelledDir}/{name}"));
            candidates.Add((ctx.Absolute(name), ctx.WorkingDirectory, SearchRule.WorkingDirectory, name));
            foreach (var d in LibrarySearchList())
                candidates.Add((Path.Combine(d.Path, name), d.Path, d.Rule, Path.Combine(d.Spelling, name)));
        }
        string lastError = "No such file or directory";
        foreach (var (path, dir, rule, spelled) in candidates)
        {
            var f = files.Get(path);
            if (!f.Exists || f.Kind == LibraryFileKind.Unreadable)
            {
                attempts.Add(new SearchAttempt(dir, rule, path, AttemptOutcome.Absent, f.Error));
                lastError = "No such file or directory";
                continue;
            }
            if (f.Elf is { } e && !IsTargetCompatible(e) && !StaticDynamic(input, f))
            {
                attempts.Add(new SearchAttempt(dir, rule, path, AttemptOutcome.Incompatible, e.TargetName));
                lastError = "file in wrong format";
                if (!Lld) continue;
                // lld takes the first member file that exists and finds it wrong when it parses it (case 70119:5).
                string why = $"{spelled} is incompatible with {ctx.Linker.TargetName}";
                _problems.Add(new InputUnusable(input, spelled, why) { Lld = true, WrongTarget = true });
                return;
            }
            // A member is searched for, so a script for another OUTPUT_FORMAT is skipped (ld 2.40; lld reads it).
            if (f.Kind == LibraryFileKind.Text && !Lld && IncompatibleScriptFormat(path) is { } format)
            {
                attempts.Add(new SearchAttempt(dir, rule, path, AttemptOutcome.Incompatible,
                    $"a linker script for {format}"));
                lastError = "file format not recognized";
                continue;
            }
            attempts.Add(new SearchAttempt(dir, rule, path, AttemptOutcome.Accepted));
            Accept(input, path, f, depth, spelling: spelled);
            return;
        }
        // ld prints the error of its last attempt.
        _problems.Add(new InputNotFound(input, attempts, scriptPath) { Error = lastError });
    }

    /// <summary>
    /// ld checks "attempted static link of dynamic object" before compatibility (ldfile_try_open_bfd): under -Bstatic
    /// a shared object of any machine is that fatal error, never skipped as incompatible (found by random case 2004:2).
    /// </summary>
    private static bool StaticDynamic(LinkInput input, LibraryFile f) =>
        input.Static && f.Elf is { IsSharedObject: true };

    private void Accept(LinkInput input, string path, LibraryFile f, int depth, string spelling)
    {
        switch (f.Kind)
        {
            case LibraryFileKind.Elf when f.Elf!.IsSharedObject:
                // -lNAME under -Bstatic only ever tries libNAME.a; a path or -l:NAME takes the file it names, and ld
                // stops there. After -static then -Bdynamic a dynamic object is found too: GNU ld says the same and
                // goes on, lld (whose -static is -Bstatic) uses it (checked with ld 2.40, lld 14).
                string staticLink = $"attempted static link of dynamic object `{spelling}'";
                if (input.Static && (input.Kind == LinkInputKind.File || input.Verbatim))
                    _problems.Add(new InputUnusable(input, spelling, staticLink));
                if (input.Static) return;
                // ld still counts its definitions when it resolves symbols (found by random case 60244:5).
                if (ctx.Request.StaticLink && !Lld)
                    _problems.Add(new InputUnusable(input, spelling, staticLink) { Fatal = false });
                var lib = new ResolvedLibrary
                {
                    Path = path,
                    Spelling = spelling,
                    Elf = f.Elf,
                    Input = input,
                    CopyDtNeeded = input.CopyDtNeeded,
                    AsNeeded = input.AsNeeded,
                };
                bool kept = Symbols.Shared(lib, input.AsNeeded, out bool assumed);
                lib.DroppedByAsNeeded = !kept;
                if (!kept)
                    _notes.Add($"{spelling}: dropped by --as-needed (nothing before it references its symbols), so " +
                        $"ld does not search its DT_NEEDED");
                else if (assumed)
                    _notes.Add($"{spelling}: assumed kept by --as-needed ({Symbols.Unknowable})");
                AddLibrary(lib);
                return;
            case LibraryFileKind.Elf when f.Elf!.Type == ElfType.Relocatable:
                Symbols.Object(path, spelling);
                return;
            case LibraryFileKind.Elf:
                return;
            case LibraryFileKind.Archive:
                Symbols.Archive(path, spelling, input);
                return;
            case LibraryFileKind.Text:
                ReadScript(input, path, spelling, depth);
                return;
            case LibraryFileKind.Malformed:
                _problems.Add(new InputUnusable(input, spelling,
                    $"{spelling}: file format not recognized ({f.Error})"));
                return;
            default:
                _problems.Add(new InputUnusable(input, spelling,
                    $"{spelling}: {f.Error ?? "file format not recognized"}"));
                return;
        }
    }

    private readonly Dictionary<string, (LinkerScript? Script, string? Error)> _scripts = new(StringComparer.Ordinal);

    /// <summary>Each script is read and parsed once per run (it may be met by a search and again as an
    /// input).</summary>
    private (LinkerScript? Script, string? Error) LoadScript(string path)
    {
        if (_scripts.TryGetValue(path, out var cached)) return cached;
        (LinkerScript?, string?) result;
        try
        {
            result = (LinkerScriptParser.Parse(ReadBoundedText(path), inc => LoadInclude(path, inc)), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result = (null, $"{path}: {e.Message}");
        }
        _scripts[path] = result;
        return result;
    }

    /// <summary>
    /// A script found by a search whose OUTPUT_FORMAT (anywhere in it) is not the link's output format is skipped as
    /// incompatible, like an ELF file of another machine (checked with ld 2.40; a script named by path is used).
    /// </summary>
    private string? IncompatibleScriptFormat(string path)
    {
        var (script, _) = LoadScript(path);
        string? format = script?.OutputFormat;
        if (format is null || ctx.Linker.OutputFormat is not { } own) return null;
        return format == own ? null : format;
    }

    private static string ScriptErrorMessage(string path, ScriptDiagnostic err) => err.Kind switch
    {
        ScriptErrorKind.UnterminatedComment => $"{path}: EOF in comment",
        ScriptErrorKind.NotAScript => $"{path}: file not recognized: file format not recognized",
        ScriptErrorKind.SyntaxError => $"{(err.File ?? path)}:{(err.AtEndOfInput ? 0 : err.Line)}: {err.Message}",
        _ => $"{(err.File ?? path)}: {err.Message}",
    };

    private void ReadScript(LinkInput input, string path, string spelling, int depth)
    {
        if (depth >= MaxScriptDepth)
        {
            _problems.Add(new InputUnusable(input, path,
                $"{path}: linker scripts nest more than {MaxScriptDepth} deep (a loop?)"));
            return;
        }
        var (script, ioError) = LoadScript(path);
        if (script is null)
        {
            _problems.Add(new InputUnusable(input, path, ioError ?? path));
            return;
        }
        if (script.Error is { } err)
        {
            _problems.Add(new InputUnusable(input, spelling, ScriptErrorMessage(spelling, err)));
            return;
        }
        // lld reads no script once an error was reported, and stops a script at its first error (ScriptLexer::atEOF).
        if (Lld && LldErrors > 0)
        {
            _notes.Add($"{spelling}: lld does not read this script after an earlier error");
            return;
        }
        // A script's GROUP is a group of its own: its archives are rescanned together when it ends (libc.so's GROUP).
        int group = -(++_scriptGroups);
        foreach (var m in script.Inputs)
        {
            if (Stopped || (Lld && LldErrors > 0)) break;
            var member = new LinkInput(m.IsLibrary ? LinkInputKind.Library : LinkInputKind.File,
                m.IsLibrary && m.Name.StartsWith(':') ? m.Name[1..] : m.Name,
                m.IsLibrary && m.Name.StartsWith(':'),
                input.Static, input.AsNeeded || m.AsNeeded, input.CopyDtNeeded, input.ArgumentIndex)
            {
                Group = m.InGroup ? group : input.Group,
                WholeArchive = input.WholeArchive,
            };
            if (member.Kind == LinkInputKind.Library) ResolveLibrarySearch(member, depth + 1);
            else ResolveFileInput(member, path, depth + 1, spelling);
            if (!m.EndsGroup) continue;
            EndGroup(group);
            group = -(++_scriptGroups);
        }
        Symbols.EndGroup(group);
    }

    /// <summary>lld's errors while it collects the inputs (LinkerDriver::createFiles); a file for another target is
    /// only found wrong later, when the files are parsed.</summary>
    private int LldErrors => _problems.Count(p => p is InputNotFound or InputUnusable { WrongTarget: false });

    private string? LoadInclude(string scriptPath, string name)
    {
        var candidates = new List<string> { name.StartsWith('/') ? name
            : Path.Combine(Path.GetDirectoryName(scriptPath) ?? "", name) };
        if (!name.StartsWith('/'))
        {
            candidates.Add(ctx.Absolute(name));
            candidates.AddRange(LibrarySearchList().Select(d => Path.Combine(d.Path, name)));
        }
        foreach (var c in candidates)
        {
            try
            {
                if (File.Exists(c)) return ReadBoundedText(c);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Linker scripts are small; a huge "script" is not one, so read at most 1 MiB of it.</summary>
    private static string ReadBoundedText(string path)
    {
        using var src = new FileByteSource(path);
        var buf = new byte[(int)Math.Min(src.Length, 1 << 20)];
        int n = src.ReadAt(0, buf);
        return System.Text.Encoding.UTF8.GetString(buf, 0, n);
    }

    private static bool IsObjectName(string name) =>
        name.EndsWith(".o", StringComparison.Ordinal) || name.EndsWith(".obj", StringComparison.Ordinal)
            || name.EndsWith(".lo", StringComparison.Ordinal);

    private bool IsTargetCompatible(ElfFile f) => ctx.Linker.IsTarget(f);

    // ---- DT_NEEDED -------------------------------------------------------------------------------------

    private void WalkNeeded()
    {
        var processed = new HashSet<string>(StringComparer.Ordinal);
        // Found DT_NEEDED libraries join the walk with their own entries (to any depth), in ld's order.
        var walk = new Queue<ResolvedLibrary>(_libraries.Where(l => !l.DroppedByAsNeeded));
        var revived = new HashSet<ResolvedLibrary>();
        while (walk.TryDequeue(out var by))
        {
            if (!ChecksNeededOf(by)) continue;
            foreach (var name in by.Elf.Needed)
            {
                if (!processed.Add(name)) continue;
                if (IsSatisfiedByLoaded(name))
                {
                    // An input --as-needed dropped that satisfies NAME is loaded now ("found libx.so.1 at dir/libx.so"
                    // in ld --verbose), and its own DT_NEEDED entries are searched like any found library's.
                    if (_libraries.FirstOrDefault(l => l.DroppedByAsNeeded
                        && l.NeededNamesSatisfied().Contains(name)) is { } dropped && revived.Add(dropped))
                        walk.Enqueue(dropped);
                    continue;
                }
                var attempts = new List<SearchAttempt>();
                var found = SearchNeeded(name, by, attempts);
                if (found is null)
                {
                    _problems.Add(new NeededNotFound(name, by, attempts) { LoadedBefore = _libraries.Count });
                    continue;
                }
                if (MayConflict(found) is { } other)
                    _problems.Add(new NeededMayConflict(name, by, found.Path, other));
                AddLibrary(found);
                walk.Enqueue(found);
            }
        }
    }

    /// <summary>ld-rules §4.12: a found DT_NEEDED whose libX.so. stem matches a loaded library of another
    /// version.</summary>
    private string? MayConflict(ResolvedLibrary found)
    {
        string name = found.NeededName ?? "";
        int so = name.IndexOf(".so.", StringComparison.Ordinal);
        if (so < 0) return null;
        string stem = name[..(so + 4)];
        foreach (var l in _libraries)
            if ((l.Elf.Soname ?? Path.GetFileName(l.Path)) is { } s && s.StartsWith(stem, StringComparison.Ordinal)
                && s != name)
                return s;
        return null;
    }

    /// <summary>
    /// ld skips a library's DT_NEEDED when shared-library undefineds are ignored (-shared default,
    /// --allow-shlib-undefined) and the library was loaded without --copy-dt-needed-entries (ld-rules §5).
    /// </summary>
    private bool ChecksNeededOf(ResolvedLibrary lib) => ctx.Request.ChecksSharedLibraryDependencies || lib.CopyDtNeeded;

    /// <summary>ld-rules §4.2: an input whose SONAME (or, without one, its name as given or found) equals
    /// NAME.</summary>
    private readonly HashSet<string> _satisfies = new(StringComparer.Ordinal);

    /// <summary>
    /// Records what NAMEs a loaded library satisfies (ld-rules §4.2): its SONAME, or without one its name as given
    /// and, when found by -l/-l:, its file name. A set, so the DT_NEEDED walk stays linear in the number of libraries.
    /// </summary>
    private void AddLibrary(ResolvedLibrary lib)
    {
        _libraries.Add(lib);
        _satisfies.UnionWith(lib.NeededNamesSatisfied());
    }

    private bool IsSatisfiedByLoaded(string name) => _satisfies.Contains(name);

    private ResolvedLibrary? SearchNeeded(string name, ResolvedLibrary by, List<SearchAttempt> attempts)
    {
        if (name.StartsWith('/'))
        {
            // An absolute NAME is opened as is, never searched (ld-rules §4.7).
            return TryNeededCandidates([(name,
                new SearchDirectory(Path.GetDirectoryName(name) ?? "/", SearchRule.AbsoluteName))], name, by, attempts);
        }
        var candidates = new List<(string, SearchDirectory)>();
        foreach (var dir in NeededSearchList(by))
            candidates.Add((dir.Path.Length == 0 ? ctx.Absolute(name) : Path.Combine(dir.Path, name), dir));
        return TryNeededCandidates(candidates, name, by, attempts);
    }

    /// <summary>
    /// How ld spells a library it found for a DT_NEEDED (in "needed by" and "undefined reference" lines): the search
    /// element as written, "/" and NAME, unnormalised ("deps/libx.so.1", "/opt/lib//libx.so.1"); NAME alone for an
    /// empty element (ldelf_search_needed).
    /// </summary>
    private static string NeededSpelling(SearchDirectory dir, string name, string path) =>
        dir.Rule == SearchRule.AbsoluteName ? path : dir.Written is null ? path : dir.Written.Length == 0 ? name
            : dir.Written + "/" + name;

    /// <summary>ld's two passes (ld-rules §4.10): the first rejects candidates that look wrong for this link.
    /// </summary>
    private ResolvedLibrary? TryNeededCandidates(List<(string Path, SearchDirectory Dir)> candidates, string name,
        ResolvedLibrary by, List<SearchAttempt> attempts)
    {
        var rejected = new List<int>();
        for (int i = 0; i < candidates.Count; i++)
        {
            var (path, dir) = candidates[i];
            var f = files.Get(path);
            var outcome = NeededOutcome(f, out string? detail);
            if (outcome == AttemptOutcome.Accepted && FirstPassRejects(f.Elf!, out string? why))
            {
                rejected.Add(i);
                attempts.Add(new SearchAttempt(dir.Path, dir.Rule, path, AttemptOutcome.RejectedFirstPass, why));
                continue;
            }
            attempts.Add(new SearchAttempt(dir.Path, dir.Rule, path, outcome, detail));
            if (outcome == AttemptOutcome.Accepted) return Found(path, dir, f, name, by);
        }
        if (rejected.Count > 0)
        {
            var (path, dir) = candidates[rejected[0]];
            var f = files.Get(path);
            attempts.Add(new SearchAttempt(dir.Path, dir.Rule, path, AttemptOutcome.Accepted, "second pass"));
            return Found(path, dir, f, name, by);
        }
        return null;
    }

    private ResolvedLibrary Found(string path, SearchDirectory dir, LibraryFile f, string name,
        ResolvedLibrary by) => new()
        {
            Path = path,
            Spelling = NeededSpelling(dir, name, path),
            Elf = f.Elf!,
            NeededBy = by,
            NeededName = name,
            FoundBy = dir.Rule,
            CopyDtNeeded = by.CopyDtNeeded,
            AsNeeded = by.AsNeeded,
        };

    private AttemptOutcome NeededOutcome(LibraryFile f, out string? detail)
    {
        detail = f.Error;
        if (f.Kind == LibraryFileKind.Unreadable) return AttemptOutcome.Unreadable;
        if (!f.Exists) return AttemptOutcome.Absent;
        if (f.Elf is not { } e)
        {
            detail = f.Kind == LibraryFileKind.Text ? "a linker script (not used for DT_NEEDED)"
            : f.Error ?? "not ELF"; return AttemptOutcome.NotSharedObject;
        }
        if (!IsTargetCompatible(e)) { detail = e.TargetName; return AttemptOutcome.Incompatible; }
        if (!e.IsSharedObject) { detail = "not a shared object"; return AttemptOutcome.NotSharedObject; }
        return AttemptOutcome.Accepted;
    }

    /// <summary>
    /// First pass of ldelf_search_needed (force == 0): reject a candidate that needs libX.so.M while libX.so.N is
    /// loaded, or (Linux) has DT_NEEDED entries but none starting with libc.so.
    /// </summary>
    private bool FirstPassRejects(ElfFile candidate, out string? why)
    {
        why = null;
        if (candidate.Needed.Count > 0 && !candidate.Needed.Any(n => n.StartsWith("libc.so", StringComparison.Ordinal)))
        {
            why = "has DT_NEEDED entries but none for libc.so (first pass)";
            return true;
        }
        foreach (var n in candidate.Needed)
        {
            int so = n.IndexOf(".so.", StringComparison.Ordinal);
            if (so < 0) continue;
            string stem = n[..(so + 4)];
            foreach (var l in _libraries)
                if (l.Elf.Soname is { } s && s.StartsWith(stem, StringComparison.Ordinal) && s != n)
                {
                    why = $"needs {n} while {s} is loaded (first pass)";
                    return true;
                }
        }
        return false;
    }

    /// <summary>ldelf_search_needed's order (ld-rules §4.3).</summary>
    public IReadOnlyList<SearchDirectory> NeededSearchList(ResolvedLibrary by)
    {
        var list = new List<SearchDirectory>();
        var req = ctx.Request;
        string origin = Path.GetDirectoryName(ctx.Absolute(by.Spelling)) ?? "/";
        void AddPath(string? value, SearchRule rule, bool sysrootAbsolute)
        {
            if (value is null) return;
            foreach (var element in RunPaths.Split(value))
            {
                // An empty element means the current directory (CMake's "-Wl,-rpath,DIR:" hits this).
                string e = element.Length == 0 ? ""
                    : RunPaths.ForLinker(element, origin, by.Elf.Class, sysrootAbsolute ? S : null);
                list.Add(new SearchDirectory(e.Length == 0 ? "" : ctx.Absolute(e), rule, Written: e));
            }
        }
        foreach (var r in req.RpathLink) AddPath(r, SearchRule.RpathLink, false);
        foreach (var r in req.Rpath) AddPath(r, SearchRule.Rpath, true);
        if (ctx.Linker.IsNative)
        {
            if (req.Rpath.Count == 0 && req.RpathLink.Count == 0) AddPath(NonEmpty(ctx.Env("LD_RUN_PATH")),
                SearchRule.LdRunPath, false);
            AddPath(NonEmpty(ctx.Env("LD_LIBRARY_PATH")), SearchRule.LdLibraryPath, false);
        }
        if (RunPaths.EffectiveList(by.Elf) is { } own) AddPath(own.List, own.Rule, true);
        foreach (var d in LdSoConfDirectories()) list.Add(new SearchDirectory(d, SearchRule.LdSoConf));
        foreach (var d in ctx.Linker.SearchDirs) list.Add(new SearchDirectory(SysrootPaths.LibraryPath(d, S,
            ctx.WorkingDirectory), SearchRule.DefaultSearchDir));
        return list;
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private IReadOnlyList<string> LdSoConfDirectories()
    {
        if (_ldSoConfDirs is not null) return _ldSoConfDirs;
        // S + prefix + /etc/ld.so.conf if it exists, else S/etc/ld.so.conf, never both (ld-rules §4.4).
        string first = S + ctx.Linker.Prefix.TrimEnd('/') + "/etc/ld.so.conf";
        string conf = File.Exists(first) ? first : S + "/etc/ld.so.conf";
        if (!File.Exists(conf)) return _ldSoConfDirs = [];
        var result = LdSoConfReader.Read(conf, S);
        foreach (var f in result.FilesRead) files.Depend(f);
        files.Depend(first);
        foreach (var d in result.Diagnostics) _notes.Add($"ld.so.conf: {d}");
        return _ldSoConfDirs = result.Directories;
    }
}
