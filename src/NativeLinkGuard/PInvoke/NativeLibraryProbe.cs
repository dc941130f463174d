using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// A what-if for verifying a fix: files placed (target path → the real file), other search flags,
/// LD_LIBRARY_PATH dirs.
/// </summary>
internal sealed record ProbeChanges(
    IReadOnlyDictionary<string, string>? Placed = null,
    int? SearchPaths = null,
    bool OverrideSearchPaths = false,
    string? ExtraLdLibraryPath = null,
    IReadOnlyList<NativeSearchDirectory>? ExtraSearchDirectories = null);

/// <summary>
/// The runtime's search for one library name (docs/pinvoke-rules.md §2–§4): for each name variation, the
/// NATIVE_DLL_SEARCH_DIRECTORIES, the calling assembly's directory, then dlopen — a name without '/' searched by
/// ld.so's rules for a caller without run paths (LD_LIBRARY_PATH, ld.so.cache, the system directories, each with
/// its hwcaps subdirectories, from the runtime engine's <see cref="LoaderEnvironment"/>). A candidate that exists
/// is loaded by the runtime engine (<see cref="RuntimeChecker"/>); one that does not load does not stop the search.
/// </summary>
internal sealed class NativeLibraryProbe
{
    private readonly AppLayout _layout;
    private readonly PInvokeRequest _request;
    private readonly LibraryFileCache _files;
    private readonly RuntimeChecker _runtime;
    private readonly LoaderEnvironment _loader;
    private readonly LdSoCacheIndex? _cache;
    private readonly (ElfClass Class, ushort Machine) _abi;
    private readonly Dictionary<string, RuntimeFileReport> _loadChecks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>?> _listings = new(StringComparer.Ordinal);

    public NativeLibraryProbe(AppLayout layout, PInvokeRequest request)
    {
        _layout = layout;
        _request = request;
        _files = new LibraryFileCache();
        _abi = RuntimeIdentifiers.Abi(layout.Rid) ?? (ElfClass.Elf64, ElfMachines.X86_64);
        _loader = LoaderProbe.For(_abi.Class, _abi.Machine, request.Sysroot, request.LdLibraryPath,
            request.WorkingDirectory, request.CacheDirectory);
        _cache = _loader.CachePath is { } cp ? new LdSoCacheIndex(cp, request.Sysroot) : null;
        _runtime = new RuntimeChecker(new RuntimeRequest
        {
            LdLibraryPath = request.LdLibraryPath ?? "", WorkingDirectory = request.WorkingDirectory,
            Sysroot = request.Sysroot, CacheDirectory = request.CacheDirectory,
            HintDirectories = request.HintDirectories, IncludeLibraries = false,
        }, _files);
    }

    public LoaderEnvironment Loader => _loader;

    /// <summary>
    /// Where the name is loaded from (null: DllNotFoundException), every path tried, the candidates that failed.
    /// </summary>
    public (string? Loaded, List<ProbeAttempt> Trace, List<RuntimeFileReport> Failed) Probe(string name,
        ImportKind kind, int? searchPaths, ProbeChanges? changes = null)
    {
        var trace = new List<ProbeAttempt>();
        var failed = new List<RuntimeFileReport>();
        var tried = new HashSet<string>(StringComparer.Ordinal);
        int? flags = changes?.OverrideSearchPaths == true ? changes.SearchPaths : searchPaths;
        string? Try(string path, string rule)
        {
            if (!tried.Add(path)) return null;
            var (result, loads, report) = Candidate(path, changes);
            trace.Add(new ProbeAttempt(path, rule, result));
            if (report is not null && !loads) failed.Add(report);
            return loads ? path : null;
        }

        void Note(string path, string rule, string result) => trace.Add(new ProbeAttempt(path, rule, result));
        if (kind == ImportKind.LoadByPath)
            return (Dlopen(name, Try, Note, changes), trace, failed);

        bool relative = !LibraryNameVariations.IsAbsolute(name);
        var searchDirs = _layout.NativeSearchDirectories.Concat(changes?.ExtraSearchDirectories ?? []).ToList();
        string assemblyDirectoryRule =
            "the calling assembly's directory (" + DllImportSearchPaths.Describe(flags) + ")";
        foreach (string v in LibraryNameVariations.For(name))
        {
            foreach (var d in searchDirs)
                if (Try(d.Directory + "/" + v, "NATIVE_DLL_SEARCH_DIRECTORIES: " + d.Rule) is { } found)
                    return (found, trace, failed);
            if (!relative)
            {
                if (Try(v, "absolute path") is { } found) return (found, trace, failed);
            }
            else if (DllImportSearchPaths.SearchesAssemblyDirectory(flags)
                     && Try(Path.Combine(_layout.AppDirectory, v), assemblyDirectoryRule) is { } found)
                return (found, trace, failed);
            if (DllImportSearchPaths.CallsDlopenByName(flags) && Dlopen(v, Try, Note, changes) is { } viaDlopen)
                return (viaDlopen, trace, failed);
        }
        return (null, trace, failed);
    }

    /// <summary>
    /// dlopen(NAME) from libcoreclr: a path is opened as is (relative to the cwd); a bare name is searched by ld.so.
    /// </summary>
    private string? Dlopen(string name, Func<string, string, string?> tryPath, Action<string, string, string> note,
        ProbeChanges? changes)
    {
        if (name.Contains('/'))
            return tryPath(name.StartsWith('/') ? name : Path.Combine(_request.WorkingDirectory, name),
                name.StartsWith('/') ? "dlopen: the path as given" : "dlopen: relative to the working directory");
        string llp = string.Join(':',
            new[] { changes?.ExtraLdLibraryPath, _loader.LdLibraryPath }.Where(s => !string.IsNullOrEmpty(s)));
        foreach (var (rule, dirs) in LdSoSearch.ForBareName(_loader, llp))
        {
            string said = "dlopen: " + SearchAttempt.Describe(rule);
            if (rule == SearchRule.LdSoCache)
            {
                if (_cache?.Lookup(name, _abi.Class, _abi.Machine, _loader.Subdirectories) is { } cached)
                    return tryPath(cached, said);
                if (_cache is not null) note(_cache.Path, said, "no entry for " + name);
                continue;
            }
            foreach (var e in dirs)
            {
                // An empty or relative element is the working directory's (LD_LIBRARY_PATH's; the others are
                // absolute).
                string dir = e.Length == 0 ? _request.WorkingDirectory
                    : e.StartsWith('/') ? e : Path.Combine(_request.WorkingDirectory, e);
                foreach (string sub in _loader.Subdirectories)
                {
                    string d = sub.Length == 0 ? dir : Path.Combine(dir, sub);
                    if (sub.Length > 0 && !Listed(d, name)) continue;
                    var found = tryPath(Path.Combine(d, name),
                        sub.Length == 0 ? said : "dlopen: " + SearchAttempt.DescribeQualified(rule, null, false, sub));
                    if (found is not null || StopsSearch(Path.Combine(d, name))) return found;
                }
            }
        }
        return null;
    }

    // ld.so stops at the first file of the right ABI (loaded or not) and at a file that is not ELF at all (fatal:
    // "invalid ELF header"); a library of another ABI is skipped and the search goes on.
    private bool StopsSearch(string path) => _files.Get(path) switch
    {
        { Kind: LibraryFileKind.Elf, Elf: { } e } => _loader.Accepts(e),
        { Kind: LibraryFileKind.Missing or LibraryFileKind.Directory } => false,
        _ => true,
    };

    private bool Listed(string dir, string name)
    {
        if (!_listings.TryGetValue(dir, out var set))
        {
            try
            {
                set = Directory.Exists(dir)
                    ? new HashSet<string>(Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)!,
                        StringComparer.Ordinal)
                    : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { set = null; }
            _listings[dir] = set;
        }
        return set?.Contains(name) == true;
    }

    /// <summary>
    /// What dlopen of PATH gives: absent, skipped, or loaded by the runtime engine (its dependencies).
    /// </summary>
    private (string Result, bool Loads, RuntimeFileReport? Report) Candidate(string path, ProbeChanges? changes)
    {
        string real = changes?.Placed is { } placed && placed.TryGetValue(path, out var source) ? source : path;
        string? dir = Path.GetDirectoryName(real);
        if (dir is null || !Listed(dir, Path.GetFileName(real))) return ("no such file", false, null);
        var file = _files.Get(real);
        if (file.Kind is LibraryFileKind.Missing or LibraryFileKind.Directory) return ("no such file", false, null);
        if (file is not { Kind: LibraryFileKind.Elf, Elf: { } elf })
            return ("not an ELF file: dlopen fails (invalid ELF header)", false, null);
        if (!_loader.Accepts(elf))
            return ($"built for {elf.TargetName}, not for {_layout.Rid}: dlopen fails", false, null);
        if (!_loadChecks.TryGetValue(real, out var report)) _loadChecks[real] = report = _runtime.Check(real);
        if (report.Loadable) return (real == path ? "loads" : $"loads (placed from {real})", true, report);
        string why = report.Findings.FirstOrDefault(f => f.Severity == Diagnostics.Severity.Error)?.Message
                     ?? "does not load";
        return ($"found, but dlopen fails: {why}", false, report);
    }
}
