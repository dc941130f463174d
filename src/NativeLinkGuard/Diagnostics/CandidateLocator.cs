using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// Looks for a missing library where users keep it: hint dirs; the run paths of the libraries that need it; the needing
/// library's directory, its siblings and their lib, lib64 and stubs subdirectories; the link's own -rpath-link, -rpath
/// and -L; LIBRARY_PATH, LD_LIBRARY_PATH, LD_RUN_PATH; toolkits (CUDA, conda and its sysroot, Python's nvidia
/// packages); the project and working-directory tree; host system dirs a sysroot hides; /etc/ld.so.cache. A
/// candidate answers by file name, by SONAME, or as the real file behind a dangling symlink, and is always of the
/// link's class and machine. Every place is listed once per run
/// (<see cref="DirectoryListings"/>, <see cref="ProjectTreeIndex"/>).
/// </summary>
public sealed class CandidateLocator(
    ResolverContext ctx,
    LibraryFileCache files,
    IReadOnlyList<string> hintDirectories,
    Func<IReadOnlyList<string>>? systemCacheDirectories = null,
    DirectoryListings? listings = null,
    ProjectTreeIndex? trees = null)
{
    // A parent with more subdirectories than this is not a package layout; its siblings are not worth a look each.
    private const int MaxSiblings = 64;

    /// <summary>The run's directory listings (the advisors list the same places for every suggestion).</summary>
    public DirectoryListings Listings { get; } = listings ?? new DirectoryListings();

    private readonly ProjectTreeIndex _trees = trees ?? new ProjectTreeIndex();

    /// <summary>
    /// The directories /etc/ld.so.cache lists, read once per run by whoever owns the run (see LinkChecker).
    /// </summary>
    public static IReadOnlyList<string> ReadSystemCacheDirectories() =>
        LdSoCacheReader.ReadDirectories(SystemCacheFile);

    private const string SystemCacheFile = "/etc/ld.so.cache";

    private List<CandidatePlace>? _places;

    /// <summary>The places that do not depend on which library needs the file, in the order they are tried.</summary>
    public IReadOnlyList<CandidatePlace> Places()
    {
        if (_places is not null) return _places;
        var list = new List<CandidatePlace>();
        foreach (var h in hintDirectories) list.Add(new(ctx.Absolute(h), CandidatePlaceKind.HintDirectory));
        foreach (var d in ctx.Request.RpathLink.SelectMany(Split))
            list.Add(CandidatePlace.OnSearchList(ctx.Absolute(d), SearchRule.RpathLink));
        foreach (var d in ctx.Request.Rpath.SelectMany(Split).SelectMany(RunTimeMeanings))
            list.Add(CandidatePlace.OnSearchList(ctx.Absolute(d), SearchRule.Rpath));
        foreach (var d in ctx.Request.LibraryPaths)
        {
            string dir = ctx.LibraryPath(d);
            list.Add(CandidatePlace.OnSearchList(dir, SearchRule.CommandLineLibraryPath));
        }
        foreach (var d in Split(ctx.Env("LIBRARY_PATH")))
            list.Add(new(ctx.Absolute(d), CandidatePlaceKind.LibraryPathVariable));
        foreach (var d in Split(ctx.Env("LD_LIBRARY_PATH")))
            list.Add(CandidatePlace.OnSearchList(ctx.Absolute(d), SearchRule.LdLibraryPath));
        foreach (var d in Split(ctx.Env("LD_RUN_PATH")))
            list.Add(CandidatePlace.OnSearchList(ctx.Absolute(d), SearchRule.LdRunPath));
        // Siblings of the link's own (non-system) -L dirs: build/ next to deps/ is the usual layout.
        var ownDirs = ctx.Request.LibraryPaths
            .Select(d => ctx.LibraryPath(d))
            .Where(d => !IsSystemDirectory(d));
        foreach (var d in ownDirs)
            list.AddRange(Siblings(d, d));
        AddToolkits(list);
        var roots = new[] { ctx.WorkingDirectory, ProjectTreeIndex.ProjectRoot(ctx.WorkingDirectory) }
            .OfType<string>().Distinct(StringComparer.Ordinal);
        foreach (var root in roots)
            foreach (var d in _trees.LibraryDirectories(root))
                list.Add(new(d, CandidatePlaceKind.ProjectTree, root));
        if (ctx.Sysroot.Length > 0)
            foreach (var d in ctx.Linker.SearchDirs)
                list.Add(new(d.TrimStart('='), CandidatePlaceKind.HostSystemDirectory));
        // Where the dynamic loader's cache says libraries are installed on this machine (ld itself never reads it).
        foreach (var dir in (systemCacheDirectories ?? ReadSystemCacheDirectories)())
            list.Add(CandidatePlace.OnSearchList(dir, SearchRule.LdSoCache, SystemCacheFile));
        return _places = Distinct(list);
    }

    /// <summary>
    /// A command-line -rpath element as the program will read it at run time: ld expands $ORIGIN there with the needing
    /// library's directory (ld-rules §4.8), but ld.so with the program's, and $LIB as ld.so does (lib64, lib, Debian's
    /// lib/x86_64-linux-gnu): where the user means the library to be.
    /// </summary>
    private IEnumerable<string> RunTimeMeanings(string element)
    {
        if (!element.Contains('$')) { yield return element; yield break; }
        string origin = Path.GetDirectoryName(ctx.Absolute(ctx.Request.Output ?? "a.out")) ?? ctx.WorkingDirectory;
        string e = RunPaths.ExpandForLoader(element, origin, null, null);
        if (!RunPaths.UsesLoaderToken(e, "LIB")) { yield return e; yield break; }
        foreach (var lib in new[] { "lib64", "lib", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu" })
            yield return RunPaths.ExpandForLoader(e, origin, lib, null);
    }

    /// <summary>
    /// The places for a DT_NEEDED of <paramref name="by"/>: the run paths above it, its own directory and its
    /// siblings first (where a package keeps its dependencies), then the places of the link.
    /// </summary>
    public IReadOnlyList<CandidatePlace> PlacesFor(ResolvedLibrary by)
    {
        var list = new List<CandidatePlace>();
        list.AddRange(
            hintDirectories.Select(h => new CandidatePlace(ctx.Absolute(h), CandidatePlaceKind.HintDirectory)));
        list.AddRange(AncestorRunPaths(by, ctx));
        for (var l = by; l is not null; l = l.NeededBy)
        {
            string dir = Path.GetDirectoryName(ctx.Absolute(l.Path)) ?? "/";
            if (IsSystemDirectory(dir)) continue;
            list.Add(new(dir, CandidatePlaceKind.NeedingLibraryDirectory, Path.GetFileName(l.Path)));
            list.AddRange(Siblings(dir, Path.GetFileName(l.Path)));
        }
        list.AddRange(Places());
        return Distinct(list);
    }

    /// <summary>
    /// Every candidate for a DT_NEEDED NAME, in place order: by file name, SONAME, or behind a dangling link.
    /// </summary>
    public IReadOnlyList<Candidate> ForNeeded(string name, ResolvedLibrary by, Func<ElfFile, bool> compatible) =>
        Find(name, PlacesFor(by), compatible, sharedOnly: true);

    /// <summary>
    /// Every candidate for a file name a direct input wants (libfoo.so, libfoo.a, FILE of -l:FILE); for a member of
    /// a linker script, the script's directory and its siblings first.
    /// </summary>
    public IReadOnlyList<Candidate> ForFile(string name, Func<ElfFile, bool> compatible, string? script = null)
    {
        if (script is null) return Find(name, Places(), compatible, sharedOnly: false);
        string dir = Path.GetDirectoryName(ctx.Absolute(script)) ?? "/";
        var near = new List<CandidatePlace>
        {
            new(dir, CandidatePlaceKind.NeedingLibraryDirectory, Path.GetFileName(script)),
        };
        if (!IsSystemDirectory(dir)) near.AddRange(Siblings(dir, Path.GetFileName(script)));
        return Find(name, Distinct([.. near, .. Places()]), compatible, sharedOnly: false);
    }

    private List<Candidate> Find(
        string name, IReadOnlyList<CandidatePlace> places, Func<ElfFile, bool> compatible, bool sharedOnly)
    {
        var found = new List<Candidate>();
        int so = name.IndexOf(".so", StringComparison.Ordinal);
        string? stem = so > 0 ? name[..so] : null;
        foreach (var place in places)
        {
            string path = Path.Combine(place.Directory, name);
            var f = files.Get(path);
            if (f.Elf is { } e && compatible(e) && (!sharedOnly || e.IsSharedObject))
                found.Add(new Candidate(place, name, e));
            else if (!sharedOnly && f.Kind is LibraryFileKind.Archive or LibraryFileKind.Text)
                found.Add(new Candidate(place, name, null));
            else if (f.Kind == LibraryFileKind.Missing && IsLink(path) && stem is not null
                && BehindDanglingLink(place, name, stem, compatible) is { } real)
                found.Add(real);
            if (stem is null || !sharedOnly) continue;
            foreach (var other in Listings.Files(place.Directory, stem + ".so*"))
            {
                string file = Path.GetFileName(other);
                if (file == name) continue;
                if (files.Get(other).Elf is { } oe && compatible(oe) && oe.IsSharedObject && oe.Soname == name)
                    found.Add(new Candidate(place, file, oe, CandidateMatch.Soname));
            }
        }
        return found;
    }

    /// <summary>
    /// The library a dangling <paramref name="name"/> stood for: a real file of the same stem whose SONAME is the name,
    /// or (a development link, libfoo.so) the one whose SONAME the highest version has; never another symlink.
    /// </summary>
    private Candidate? BehindDanglingLink(
        CandidatePlace place, string name, string stem, Func<ElfFile, bool> compatible)
    {
        Candidate? best = null;
        foreach (var other in Listings.Files(place.Directory, stem + ".so.*"))
        {
            string file = Path.GetFileName(other);
            if (file == name || IsLink(other)) continue;
            if (files.Get(other).Elf is not { IsSharedObject: true } e || !compatible(e)) continue;
            if (e.Soname == name) return new Candidate(place, file, e, CandidateMatch.BehindDanglingSymlink);
            if (name.EndsWith(".so", StringComparison.Ordinal)
                && (best is null || string.CompareOrdinal(file, best.File) > 0))
                best = new Candidate(place, file, e, CandidateMatch.BehindDanglingSymlink);
        }
        return best;
    }

    private static bool IsLink(string path)
    {
        try { return new FileInfo(path).LinkTarget is not null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// DIR's lib, lib64 and stubs subdirectories, its siblings and its parent's siblings (build/ and deps/ of one
    /// project, native/build/ beside cuda/lib64/stubs), each with those subdirectories.
    /// </summary>
    private IEnumerable<CandidatePlace> Siblings(string dir, string of)
    {
        var result = new List<CandidatePlace>();
        foreach (var sub in Subdirectories(dir))
            result.Add(new(sub, CandidatePlaceKind.Sibling, of));
        string self = dir.TrimEnd('/');
        for (int up = 0; up < 2; up++)
        {
            string? parent = Path.GetDirectoryName(self);
            if (parent is null || IsSharedRoot(parent) || IsSystemDirectory(parent)) break;
            try
            {
                var siblings = Directory.EnumerateDirectories(parent).Order(StringComparer.Ordinal).Take(MaxSiblings);
                foreach (var s in siblings)
                {
                    if (s == self || Path.GetFileName(s).StartsWith('.')) continue;
                    result.Add(new(s, CandidatePlaceKind.Sibling, of));
                    foreach (var sub in Subdirectories(s)) result.Add(new(sub, CandidatePlaceKind.Sibling, of));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            self = parent;
        }
        return result;
    }

    /// <summary>
    /// A directory that holds unrelated trees (/tmp, /home, $HOME): its other children are not this project's.
    /// </summary>
    private bool IsSharedRoot(string dir)
    {
        string d = dir.TrimEnd('/');
        return d.Length == 0
            || d is "/tmp" or "/var/tmp" or "/home" or "/opt" or "/root" or "/mnt" or "/media" or "/srv"
            || d == ctx.Env("HOME")?.TrimEnd('/') || d == ctx.Env("TMPDIR")?.TrimEnd('/')
            || d == Path.GetTempPath().TrimEnd('/');
    }

    private static IEnumerable<string> Subdirectories(string dir) =>
        new[] { "lib", "lib64", "stubs", "lib/stubs", "lib64/stubs" }
            .Select(s => Path.Combine(dir, s)).Where(Directory.Exists);

    private void AddToolkits(List<CandidatePlace> list)
    {
        var cudaRoots = new List<(string Root, string Why)>();
        foreach (var v in new[] { "CUDA_HOME", "CUDA_PATH", "CUDA_ROOT" })
            if (ctx.Env(v) is { Length: > 0 } cuda) cudaRoots.Add((cuda, "$" + v));
        foreach (var d in Glob.Expand("/usr/local/cuda*")) cudaRoots.Add((d, d));
        foreach (var (root, why) in cudaRoots)
        {
            foreach (var sub in new[] { "lib64", "lib", "lib64/stubs", "lib/stubs" })
                list.Add(new(Path.Combine(root, sub), CandidatePlaceKind.CudaToolkit, why));
            foreach (var t in Glob.Expand(Path.Combine(root, "targets", "*", "lib")))
            {
                list.Add(new(t, CandidatePlaceKind.CudaToolkit, why));
                list.Add(new(Path.Combine(t, "stubs"), CandidatePlaceKind.CudaToolkit, why));
            }
        }
        var pythonRoots = new List<string>();
        if (ctx.Env("CONDA_PREFIX") is { Length: > 0 } conda)
        {
            list.Add(new(Path.Combine(conda, "lib"), CandidatePlaceKind.Conda));
            foreach (var sysroot in Glob.Expand(Path.Combine(conda, "*", "sysroot")))
                foreach (var sub in new[] { "usr/lib64", "usr/lib", "lib64", "lib" })
                    list.Add(new(Path.Combine(sysroot, sub), CandidatePlaceKind.CondaSysroot));
            pythonRoots.Add(conda);
        }
        if (ctx.Env("VIRTUAL_ENV") is { Length: > 0 } venv) pythonRoots.Add(venv);
        if (ctx.Env("HOME") is { Length: > 0 } home) pythonRoots.Add(Path.Combine(home, ".local"));
        pythonRoots.Add("/usr/local");
        foreach (var root in pythonRoots)
            foreach (var packages in new[] { "site-packages", "dist-packages" })
                foreach (var d in Glob.Expand(Path.Combine(root, "lib", "python3*", packages, "nvidia", "*", "lib")))
                    list.Add(new(d, CandidatePlaceKind.PythonNvidiaPackage));
    }

    private readonly PhysicalPaths _physical = new();

    /// <summary>
    /// A directory as a fix names it: without "..", "." or a trailing '/' where the kernel resolves that alike.
    /// </summary>
    public string Plain(string dir)
    {
        string plain = dir.StartsWith('/') ? _physical.Equivalent(dir) : dir;
        return plain.Length > 1 ? plain.TrimEnd('/') : plain;
    }

    /// <summary>
    /// Each directory once, spelled plainly where the kernel resolves the plain spelling alike (a fix names it).
    /// </summary>
    private List<CandidatePlace> Distinct(List<CandidatePlace> list)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<CandidatePlace>();
        foreach (var p in list)
        {
            if (p.Directory.Length == 0) continue;
            string dir = Plain(p.Directory);
            if (seen.Add(dir)) result.Add(dir == p.Directory ? p : p with { Directory = dir });
        }
        return result;
    }

    public static IEnumerable<string> Split(string? pathList) =>
        (pathList ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// DT_RUNPATH/DT_RPATH dirs of the libraries above a missing dependency: ld.so inherits a parent's DT_RPATH at run
    /// time but ld does not (ld-rules §4.3), so the file is often right there.
    /// </summary>
    public static IEnumerable<CandidatePlace> AncestorRunPaths(ResolvedLibrary by, ResolverContext ctx)
    {
        for (var l = by; l is not null; l = l.NeededBy)
        {
            string origin = Path.GetDirectoryName(ctx.Absolute(l.Spelling)) ?? "/";
            string name = Path.GetFileName(l.Path);
            var lists = new List<(string? Paths, CandidatePlaceKind Kind, SearchRule Rule)>();
            if (RunPaths.EffectiveList(l.Elf) is { } effective)
                lists.Add((effective.List, CandidatePlaceKind.SearchList, effective.Rule));
            // The needing library's own DT_RPATH is ignored by ld when it also has a DT_RUNPATH: worth saying.
            if (l == by && RunPaths.IgnoredRpath(l.Elf) is { } ignored)
                lists.Add((ignored, CandidatePlaceKind.IgnoredRpath, SearchRule.DtRpath));
            foreach (var (paths, kind, rule) in lists)
                foreach (var e in Split(paths))
                    yield return new(ctx.Absolute(RunPaths.ForLinker(e, origin, l.Elf.Class, ctx.Sysroot)), kind,
                        name, rule);
        }
    }

    public static bool IsStubsDirectory(string dir) => dir.Split('/').Contains("stubs");

    /// <summary>
    /// The linker's own SEARCH_DIRs and the host's system library directories: a sibling or tree scan there would list
    /// the whole system, and a symbol search would read a symbol table per installed library.
    /// </summary>
    public bool IsSystemDirectory(string dir)
    {
        string full = Path.GetFullPath(ctx.Absolute(dir)).TrimEnd('/');
        if (ctx.Linker.SearchDirs.Any(d => Path.GetFullPath(ctx.Sysroot + d.TrimStart('=')).TrimEnd('/') == full))
            return true;
        return full.Length == 0
            || full is "/lib" or "/lib64" or "/usr/lib" or "/usr/lib64" or "/usr/local/lib" or "/usr/local/lib64"
                or "/usr"
            || full.StartsWith("/usr/lib/gcc/", StringComparison.Ordinal)
            || ((full.StartsWith("/lib/", StringComparison.Ordinal)
                    || full.StartsWith("/usr/lib/", StringComparison.Ordinal))
                && full.EndsWith("-linux-gnu", StringComparison.Ordinal));
    }
}
