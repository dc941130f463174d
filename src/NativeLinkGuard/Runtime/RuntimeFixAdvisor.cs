using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Findings and fixes for one emulated load. Every suggestion is tried before it is shown: the load is emulated
/// again with the changed run path, environment or file, and kept only when the library is then found and nothing
/// else breaks.
/// </summary>
internal sealed class RuntimeFixAdvisor(LoaderEnvironment env, LibraryFileCache files, DirectoryIndex dirs,
    LdSoCacheIndex? cache,
    IReadOnlyList<string> hintDirectories, RuntimeResolution resolution)
{
    private const string LoaderNotFound =
        "error while loading shared libraries: {0}: cannot open shared object file: No such file or directory";
    private HashSet<(string, string)>? _foundBefore;

    public Finding NotFound(RuntimeLookup l)
    {
        var suggestions = new List<Suggestion>();
        var notes = new List<string>();
        var places = Locate(l.Name).ToList();
        foreach (var (dir, file) in places)
            suggestions.AddRange(FixesFor(l, dir, file));
        if (places.Count == 0)
            notes.Add($"{l.Name} was not found next to any loaded " +
                $"object{(hintDirectories.Count > 0 ? " or in the hint directories" : "")}: ship it with the " +
                $"program, or pass --hint-dir DIR where it is built.");
        if (places.Any(p => p.Dir == l.NeededBy.Origin))
            notes.Add($"{l.Name} is right next to {l.NeededBy.FileName}, but ld.so never searches a library's own " +
                $"directory unless its run path says $ORIGIN; .NET's probing paths (the app directory, " +
                $"runtimes/<rid>/native) apply only to the library P/Invoke opens, not to its DT_NEEDED.");
        var ranked = Ranked(suggestions);
        return new Finding
        {
            Code = DiagnosticCodes.NotLoadableAtRunTime, Severity = Severity.Error, Message = NotFoundMessage(l),
            Library = l.Name, NeededBy = l.NeededBy.Path, Chain = l.Chain, Searched = l.Searched, Suggestions = ranked,
            Notes = notes, LdMessage = string.Format(LoaderNotFound, l.Name),
        };
    }

    public string NotFoundMessage(RuntimeLookup l) =>
        $"{l.Name}, needed by {l.NeededBy.FileName}, will not be found by the dynamic loader: " +
            $"{resolution.Root!.FileName} does not load";

    public Finding Fatal(RuntimeLookup l)
    {
        string fatal = l.FatalError!;
        int colon = fatal.IndexOf(": ", StringComparison.Ordinal);
        string candidate = colon > 0 ? fatal[..colon] : l.Name;
        var s = new Suggestion(SuggestionQuality.Proper,
            $"{candidate} is not a loadable library: take it out of the search path (move or delete it), or put the " +
                $"real library there",
            [], "ld.so stops at the first file with the wanted name that is not an ELF shared object of its ABI, " +
                "instead of searching on.")
        { Commands = [$"mv {ShellQuote.Quote(candidate)} {ShellQuote.Quote(candidate + ".not-a-library")}"] };
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal)
        { [Abs(candidate)] = "/nonexistent/nativelinkguard" };
        var verified = Verify(l, aliases: aliases) ? [s with { Verified = true }] : new List<Suggestion>();
        return new Finding
        {
            Code = DiagnosticCodes.NotLoadableAtRunTime, Severity = Severity.Error,
            Message = $"{l.Name}, needed by {l.NeededBy.FileName}: ld.so stops at {candidate} " +
                $"({fatal[(colon + 2)..]}); {resolution.Root!.FileName} does not load",
            Library = l.Name, NeededBy = l.NeededBy.Path, Chain = l.Chain, Searched = l.Searched,
            Suggestions = verified, LdMessage = $"error while loading shared libraries: {fatal}",
        };
    }

    /// <summary>NLG0005: a run path (DT_RUNPATH/DT_RPATH, or LD_LIBRARY_PATH) reaching a stubs directory.</summary>
    public IEnumerable<Finding> StubsAtRunTime()
    {
        foreach (var o in resolution.ObjectsThatMayNameStubs())
        {
            if (o.Path == env.RtldPath) continue;
            string? list = RunPaths.Effective(o.Elf);
            // The resolver pre-filters (ObjectsThatMayNameStubs); this is the exact test.
            if (list is null || !list.Contains("stubs", StringComparison.Ordinal)
                && !(list.Contains('$') && o.Origin.Contains("stubs", StringComparison.Ordinal))) continue;
            var finding = StubsRunPath.ForObject(o.Path, o.Elf,
                e => RunPaths.ExpandForLoader(e, o.Origin, env.DstLib, env.Platform), env.WorkingDirectory,
                [.. o.LoaderChain().Reverse().Select(x => x.FileName)], atRunTime: true,
                loadedStub: () => resolution.Lookups.Where(l => l.Found is { } f && l.NeededBy == o
                    && IsStubs(Path.GetDirectoryName(Abs(f.Path)) ?? "")).Select(l => l.Found!.Path).FirstOrDefault(),
                verify: newPath => Resolve(new Dictionary<string, string> { [o.Path] = newPath }).Lookups
                    .All(l => l.Found is not { } f || !IsStubs(Path.GetDirectoryName(Abs(f.Path)) ?? "")));
            if (finding is not null) yield return finding;
        }
        if (!string.IsNullOrEmpty(env.LdLibraryPath)
            && StubsRunPath.ForLdLibraryPath(env.LdLibraryPath, env.WorkingDirectory) is { } llp)
            yield return llp;
    }

    private IEnumerable<Suggestion> FixesFor(RuntimeLookup l, string dir, string file)
    {
        var by = l.NeededBy;
        string element = RunPathElement(by, dir);
        var existing = RunPaths.Effective(by.Elf) is { } current ? RunPaths.Split(current) : [];
        string newRunpath = string.Join(':', new[] { element }.Concat(existing.Where(e => e != element)));
        string target = TargetName(by.FileName);
        var overrides = new Dictionary<string, string> { [by.Path] = newRunpath };
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        var extra = new HashSet<string>(StringComparer.Ordinal);
        var commands = new List<string>();
        string linkNote = "";
        if (file != l.Name)
        {
            // The library is there under its real file name only: the SONAME link ldconfig -n would create is missing.
            string link = dir.TrimEnd('/') + "/" + l.Name;
            aliases[link] = dir.TrimEnd('/') + "/" + file;
            extra.Add(link);
            commands.Add($"ln -sfn {ShellQuote.Quote(file)} {ShellQuote.Quote(link)}");
            linkNote = $"create the SONAME link {l.Name} -> {file} in {dir}, then ";
            if (Verify(l, aliases: aliases, extra: extra))
                yield return new Suggestion(SuggestionQuality.Proper,
                    $"create the SONAME link {l.Name} -> {file} in {dir} (what ldconfig -n {dir} does)",
                    [], $"{dir} is already searched; only the file name {l.Name} is missing there.",
                    FileOperations: [FileOperation.Symlink(link, file)])
                {
                    Commands = commands.ToArray(),
                    Verified = true
                };
        }
        bool viaRunpath = Verify(l, overrides, aliases, extra);
        yield return new Suggestion(SuggestionQuality.Proper,
            $"{linkNote}give {by.FileName} the run path {element} (relink with -Wl,-rpath,{element}, or patchelf a " +
                $"prebuilt file)",
            [$"-Wl,-rpath,{element}"],
            element.StartsWith("$ORIGIN", StringComparison.Ordinal)
                ? $"$ORIGIN is {by.FileName}'s own directory wherever it is deployed, so the run path moves with " +
                    $"the files."
                : $"an absolute run path only works where {dir} exists on the machine that runs the program.",
            FileOperations: file != l.Name ? [FileOperation.Symlink(dir.TrimEnd('/') + "/" + l.Name, file)] : null,
            CMake: $"set_target_properties({target} PROPERTIES BUILD_RPATH \"{element}\" INSTALL_RPATH \"{element}\")",
            LdFlags: $"LDFLAGS=\"$LDFLAGS -Wl,-rpath,'{element}'\"")
        {
            Commands =
            [
                .. commands,
                $"patchelf --set-rpath {ShellQuote.Quote(newRunpath)} {ShellQuote.Quote(by.Path)}",
            ],
            Verified = viaRunpath
        };

        string llp = string.IsNullOrEmpty(env.LdLibraryPath) ? dir : dir + ":" + env.LdLibraryPath;
        if (Verify(l, aliases: aliases, extra: extra, ldLibraryPath: llp))
            yield return new Suggestion(SuggestionQuality.Workaround,
                $"{linkNote}set LD_LIBRARY_PATH={dir} where the program runs",
                [], "works, but every process started from that environment searches there first, and a .NET app's " +
                    "launcher must set it before the runtime starts.",
                Environment: new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = llp })
            { Commands = commands.ToArray(), Verified = true };
    }

    // The verified suggestions, the first of each summary, best first (a stable order: ties keep theirs). A loop, not
    // LINQ: Select after GroupBy is a generic virtual call, which NativeAOT resolved through its type loader's
    // cache on every call here (2.6% of a runtime check of the benchmark tree, whose 493 failing roots each ask).
    private static List<Suggestion> Ranked(List<Suggestion> suggestions)
    {
        var first = new List<Suggestion>();
        var summaries = new HashSet<string>();
        foreach (var s in suggestions)
            if (s.Verified && summaries.Add(s.Summary)) first.Add(s);
        return first.Count < 2 ? first : [.. first.OrderBy(s => s.Quality)];
    }

    /// <summary>Where a file with this name (or this SONAME) exists: hint dirs and the dirs of every loaded
    /// object.</summary>
    private IEnumerable<(string Dir, string File)> Locate(string name)
    {
        // Each loaded object's directory once, in its physical-equivalent spelling: a deep tree spells one
        // directory many ways ("a/lib/../../b/lib"), and a fix should name it plainly.
        var places = hintDirectories.Select(Abs).Concat(resolution.SearchOrigins())
            .Distinct(StringComparer.Ordinal);
        int stem = name.IndexOf(".so", StringComparison.Ordinal);
        string? prefix = stem > 0 ? name[..stem] + ".so" : null;
        foreach (var dir in places)
        {
            if (IsStubs(dir)) continue; // never a run-time fix
            if (dirs.Contains(dir, name) && Compatible(dir + "/" + name)) { yield return (dir, name); continue; }
            if (prefix is null) continue;
            foreach (var s in dirs.NamesStartingWith(dir, prefix).Take(64))
                if (files.Get(dir + "/" + s) is { Elf.Soname: { } so } && so == name
                    && Compatible(dir + "/" + s)) { yield return (dir, s); break; }
        }
    }

    private bool Compatible(string path) =>
        files.Get(path) is { Kind: LibraryFileKind.Elf, Elf: { } e } && env.Accepts(e) && e.IsSharedObject;

    private bool Verify(RuntimeLookup l, Dictionary<string, string>? overrides = null,
        Dictionary<string, string>? aliases = null,
        HashSet<string>? extra = null, string? ldLibraryPath = null)
    {
        var after = Resolve(overrides, aliases, extra, ldLibraryPath);
        // The library is found now, and nothing found before is lost (a RUNPATH replacing an RPATH stops inheritance).
        var foundAfter = Found(after);
        _foundBefore ??= Found(resolution);
        return after.RootError is null && foundAfter.Contains((l.Name, l.NeededBy.Path))
            && _foundBefore.IsSubsetOf(foundAfter);
    }

    private RuntimeResolution Resolve(Dictionary<string, string>? overrides = null,
        Dictionary<string, string>? aliases = null,
        HashSet<string>? extra = null, string? ldLibraryPath = null)
    {
        var view = aliases is { Count: > 0 } ? files.WithAliases(aliases) : files;
        var e = ldLibraryPath is null ? env : env with { LdLibraryPath = ldLibraryPath };
        // Every lookup is compared (Found): kept by the walk rather than walked again.
        return new RuntimeResolver(e, view, dirs, cache, overrides, extra).Resolve(resolution.Path, recordAll: true);
    }

    private static HashSet<(string, string)> Found(RuntimeResolution r) =>
        r.Lookups.Where(l => l.IsFound).Select(l => (l.Name, l.NeededBy.Path)).ToHashSet();

    /// <summary>$ORIGIN-relative when the directory is near the needing library (the deployment moves as a
    /// whole).</summary>
    private static string RunPathElement(LoadedObject by, string dir)
    {
        string rel = Path.GetRelativePath(by.Origin, dir);
        if (rel == ".") return "$ORIGIN";
        return rel.Split('/').Count(p => p == "..") <= 2 ? "$ORIGIN/" + rel : dir;
    }

    private static string TargetName(string file)
    {
        int so = file.IndexOf(".so", StringComparison.Ordinal);
        string stem = so > 0 ? file[..so] : file;
        return stem.StartsWith("lib", StringComparison.Ordinal) ? stem[3..] : stem;
    }

    private bool IsStubs(string dir) => StubsRunPath.IsStubsDirectory(dir, env.WorkingDirectory);

    private string Abs(string p) => p.StartsWith('/') ? p : env.WorkingDirectory.TrimEnd('/') + "/" + p;
}
