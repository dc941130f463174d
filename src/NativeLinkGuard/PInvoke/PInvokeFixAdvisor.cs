using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// Fixes for a library the runtime will not load, each verified by probing again with the fix applied (the file
/// placed where the fix puts it, the search flags changed, LD_LIBRARY_PATH set): an item that copies the file to the
/// output and publish directories, a <c>runtimes/&lt;rid&gt;/native</c> asset,
/// <c>DllImportSearchPath.AssemblyDirectory</c>, and for a candidate that was found but does not load, the runtime
/// engine's fix for its missing dependency.
/// </summary>
internal sealed class PInvokeFixAdvisor(AppLayout layout, PInvokeRequest request, NativeLibraryProbe probe)
{
    public (IReadOnlyList<Suggestion> Suggestions, IReadOnlyList<string> Notes) Advise(PInvokeLibrary lib)
    {
        var suggestions = new List<Suggestion>();
        var notes = new List<string>();
        foreach (var failed in lib.FailedCandidates)
        {
            var error = failed.Findings.FirstOrDefault(f => f.Severity == Severity.Error);
            if (error is null) continue;
            notes.Add($"{failed.Path} is found but does not load: {error.Code} {error.Message}");
            suggestions.AddRange(error.Suggestions.Where(s => s.Verified || s.Quality == SuggestionQuality.Proper)
                .Select(s => s with { Summary = $"{s.Summary} (so that {Path.GetFileName(failed.Path)} loads)" }));
        }
        if (suggestions.Count > 0) return (suggestions, notes);

        var located = Locate(lib);
        if (located is null)
        {
            notes.Add(request.HintDirectories.Count == 0
                ? "the library is nowhere the app looks; point the check at where your build puts it " +
                  "(--hint-dir, NativeLinkGuardHintDirectories) for a verified fix"
                : $"no file for '{lib.Name}' in the hint directories either " +
                  $"({string.Join(", ", request.HintDirectories)})");
            return (suggestions, notes);
        }
        var (source, relative) = located.Value;
        notes.Add($"{source} is where the build has it, not where the app looks");

        // 1. Ship it in the app directory with an item (reaches bin/ and the publish directory alike).
        string target = Path.Combine(layout.AppDirectory, relative);
        string item = $"<None Include=\"{source}\" Link=\"{relative}\" CopyToOutputDirectory=\"PreserveNewest\" " +
            "CopyToPublishDirectory=\"PreserveNewest\" />";
        if (Loads(lib, new ProbeChanges(Placed: Placed(target, source))))
            suggestions.Add(Verified(new Suggestion(SuggestionQuality.Proper,
                $"ship it with the app: add to the project {item}",
                [], $"an item is copied by the build to {layout.AppDirectory}/{relative} and by dotnet publish to " +
                    "the publish directory, where the runtime looks; a Copy task after Build reaches bin/ only")));
        else if (lib.Kind != ImportKind.LoadByPath
                 && !DllImportSearchPaths.SearchesAssemblyDirectory(lib.SearchPaths))
        {
            // 2. The file would be in the app directory, but the search flags keep the runtime out of it.
            int flags = (lib.SearchPaths ?? 0) | DllImportSearchPaths.AssemblyDirectory;
            var placedAndSearched = new ProbeChanges(Placed: Placed(target, source), SearchPaths: flags,
                OverrideSearchPaths: true);
            if (Loads(lib, placedAndSearched))
                suggestions.Add(Verified(new Suggestion(SuggestionQuality.Proper,
                    $"ship it with the app ({item}) and search the app directory: " +
                        $"[DefaultDllImportSearchPaths({DllImportSearchPaths.Describe(flags)})]",
                    [], $"{DllImportSearchPaths.Describe(lib.SearchPaths)} leaves out the assembly's directory " +
                        "on Linux; AssemblyDirectory puts it back")));
        }
        // 3. A native asset of a package, as runtimes/<rid>/native.
        if (lib.Kind != ImportKind.LoadByPath && !lib.AppRelative && !LibraryNameVariations.IsAbsolute(lib.Name)
            && !lib.Name.Contains('/'))
        {
            string file = Path.GetFileName(relative);
            bool underRuntimes = layout.Rid.Length > 0
                                 && layout.NativeSearchDirectories.All(d => d.Directory != layout.AppDirectory)
                                 && !IsRidSpecific();
            string assetDir = underRuntimes
                ? Path.Combine(layout.AppDirectory, "runtimes", layout.Rid, "native")
                : layout.AppDirectory;
            var extra = new NativeSearchDirectory(assetDir, "deps.json native asset (suggested)");
            var asAsset = new ProbeChanges(Placed: Placed(Path.Combine(assetDir, file), source),
                ExtraSearchDirectories: [extra]);
            if (Loads(lib, asAsset))
                suggestions.Add(Verified(new Suggestion(SuggestionQuality.Proper,
                    "or pack it as a native asset of the package that wraps it: " +
                        $"<None Include=\"{source}\" Pack=\"true\" PackagePath=\"runtimes/{layout.Rid}/native/\" />",
                    [], $"the host adds runtimes/{layout.Rid}/native of every referenced package to " +
                        "NATIVE_DLL_SEARCH_DIRECTORIES (flattened into the app directory on publish)")));
            // 4. LD_LIBRARY_PATH where it runs: works, but the deployment must carry it.
            string dir = Path.GetDirectoryName(source)!;
            if (Loads(lib, new ProbeChanges(ExtraLdLibraryPath: dir)))
                suggestions.Add(Verified(new Suggestion(SuggestionQuality.Workaround,
                    $"set LD_LIBRARY_PATH={dir} where the app runs",
                    [], "dlopen then finds it by name; every machine and service that starts the app must set it",
                    Environment: new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = dir })));
        }
        return (suggestions, notes);
    }

    private bool IsRidSpecific() => layout.NativeSearchDirectories.Any(d => d.Directory == layout.AppDirectory);

    private static Dictionary<string, string> Placed(string target, string source) =>
        new(StringComparer.Ordinal) { [target] = source };

    private bool Loads(PInvokeLibrary lib, ProbeChanges changes) =>
        probe.Probe(Name(lib), lib.Kind, lib.SearchPaths, changes).Loaded is not null;

    private string Name(PInvokeLibrary lib) => lib.AppRelative ? Path.Combine(layout.AppDirectory, lib.Name) : lib.Name;

    private static Suggestion Verified(Suggestion s) => s with { Verified = true };

    /// <summary>
    /// A file the runtime would accept for this name in a hint directory: (its path, where it goes in the app).
    /// </summary>
    private (string Source, string Relative)? Locate(PInvokeLibrary lib)
    {
        var names = new List<string>();
        if (lib.AppRelative) names.Add(lib.Name);
        else if (LibraryNameVariations.IsAbsolute(lib.Name)) names.Add(Path.GetFileName(lib.Name));
        else names.AddRange(lib.Kind == ImportKind.LoadByPath ? [lib.Name] : LibraryNameVariations.For(lib.Name));
        foreach (var h in request.HintDirectories)
            foreach (var n in names)
            {
                foreach (var candidate in new[] { Path.Combine(h, n), Path.Combine(h, Path.GetFileName(n)) })
                    if (File.Exists(candidate) && Path.GetFullPath(candidate) != Path.Combine(layout.AppDirectory, n))
                        return (Path.GetFullPath(candidate), lib.AppRelative ? n : Path.GetFileName(n));
            }
        return null;
    }
}
