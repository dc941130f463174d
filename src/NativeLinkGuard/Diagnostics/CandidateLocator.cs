using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Diagnostics;

/// <summary>A place outside ld's search where a wanted file exists, and why we looked there.</summary>
public sealed record Candidate(string Directory, string File, string Source, ElfFile? Elf)
{
    public string FullPath => Path.Combine(Directory, File);
}

/// <summary>
/// Looks for a missing library where users usually have it: hint dirs, CUDA stubs, conda, LIBRARY_PATH,
/// LD_LIBRARY_PATH, the link's own -L and -rpath-link dirs, and host system dirs hidden by a sysroot.
/// </summary>
public sealed class CandidateLocator(ResolverContext ctx, LibraryFileCache files, IReadOnlyList<string> hintDirectories,
    Func<IReadOnlyList<string>>? systemCacheDirectories = null, DirectoryListings? listings = null)
{
    /// <summary>The run's directory listings (the advisors list the same places for every suggestion).</summary>
    public DirectoryListings Listings { get; } = listings ?? new DirectoryListings();

    /// <summary>The directories /etc/ld.so.cache lists, read once per run by whoever owns the run (see LinkChecker).</summary>
    public static IReadOnlyList<string> ReadSystemCacheDirectories() =>
        LdSoCacheReader.ReadDirectories("/etc/ld.so.cache");

    private List<(string Dir, string Source)>? _places;

    public IReadOnlyList<(string Dir, string Source)> Places()
    {
        if (_places is not null) return _places;
        var list = new List<(string, string)>();
        foreach (var h in hintDirectories) list.Add((ctx.Absolute(h), "--hint-dir"));
        foreach (var v in new[] { "CUDA_HOME", "CUDA_PATH", "CUDA_ROOT" })
            if (ctx.Env(v) is { Length: > 0 } cuda) AddCuda(list, cuda, "$" + v);
        AddCuda(list, "/usr/local/cuda", "CUDA toolkit");
        if (ctx.Env("CONDA_PREFIX") is { Length: > 0 } conda) list.Add((Path.Combine(conda, "lib"), "$CONDA_PREFIX/lib"));
        foreach (var d in Split(ctx.Env("LIBRARY_PATH"))) list.Add((ctx.Absolute(d), "LIBRARY_PATH"));
        foreach (var d in Split(ctx.Env("LD_LIBRARY_PATH"))) list.Add((ctx.Absolute(d), "LD_LIBRARY_PATH"));
        foreach (var d in ctx.Request.LibraryPaths) list.Add((SysrootPaths.LibraryPath(d, ctx.Sysroot, ctx.WorkingDirectory), "-L (command line)"));
        foreach (var d in ctx.Request.RpathLink.SelectMany(Split)) list.Add((ctx.Absolute(d), "-rpath-link"));
        foreach (var d in ctx.Request.Rpath.SelectMany(Split)) list.Add((ctx.Absolute(d), "-rpath"));
        foreach (var d in Split(ctx.Env("LD_RUN_PATH"))) list.Add((ctx.Absolute(d), "LD_RUN_PATH"));
        if (ctx.Sysroot.Length > 0)
            foreach (var d in ctx.Linker.SearchDirs)
                list.Add((d.TrimStart('='), "host system directory (outside the sysroot)"));
        // Where the dynamic loader's cache says libraries are installed on this machine (ld itself never reads it).
        foreach (var dir in (systemCacheDirectories ?? ReadSystemCacheDirectories)())
            list.Add((dir, "/etc/ld.so.cache"));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        _places = list.Where(p => seen.Add(p.Item1)).ToList();
        return _places;
    }

    private static void AddCuda(List<(string, string)> list, string root, string source)
    {
        list.Add((Path.Combine(root, "lib64", "stubs"), source + " stubs"));
        list.Add((Path.Combine(root, "lib", "stubs"), source + " stubs"));
        string targets = Path.Combine(root, "targets");
        try
        {
            if (Directory.Exists(targets))
                foreach (var t in Directory.EnumerateDirectories(targets).Order(StringComparer.Ordinal))
                    list.Add((Path.Combine(t, "lib", "stubs"), source + " stubs"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public static IEnumerable<string> Split(string? pathList) =>
        (pathList ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Files named exactly <paramref name="name"/> that are shared objects for the link's target.</summary>
    public IEnumerable<Candidate> ExactMatches(string name, Func<ElfFile, bool> compatible, IEnumerable<(string Dir, string Source)>? extra = null)
    {
        foreach (var (dir, source) in (extra ?? []).Concat(Places()))
        {
            var f = files.Get(Path.Combine(dir, name));
            if (f.Elf is { } e && compatible(e)) yield return new Candidate(dir, name, source, e);
            else if (f.Kind is LibraryFileKind.Archive or LibraryFileKind.Text) yield return new Candidate(dir, name, source, null);
        }
    }

    /// <summary>Shared objects whose SONAME is <paramref name="soname"/> under another file name (CUDA's stubs/libcuda.so).</summary>
    public IEnumerable<Candidate> SonameMatches(string soname, Func<ElfFile, bool> compatible, IEnumerable<(string Dir, string Source)>? extra = null)
    {
        int so = soname.IndexOf(".so", StringComparison.Ordinal);
        if (so <= 0) yield break;
        string stem = soname[..so];
        foreach (var (dir, source) in (extra ?? []).Concat(Places()))
        {
            foreach (var path in Listings.Files(dir, stem + ".so*"))
            {
                string file = Path.GetFileName(path);
                if (file == soname) continue;
                var f = files.Get(path);
                if (f.Elf is { } e && compatible(e) && e.Soname == soname) yield return new Candidate(dir, file, source, e);
            }
        }
    }

    /// <summary>
    /// DT_RUNPATH/DT_RPATH dirs of the libraries above a missing dependency: ld.so inherits a parent's DT_RPATH at run
    /// time but ld does not (ld-rules §4.3), so the file is often right there.
    /// </summary>
    public static IEnumerable<(string Dir, string Source)> AncestorRunPaths(ResolvedLibrary by, ResolverContext ctx)
    {
        for (var l = by; l is not null; l = l.NeededBy)
        {
            string origin = Path.GetDirectoryName(ctx.Absolute(l.Spelling)) ?? "/";
            string name = Path.GetFileName(l.Path);
            var lists = new List<(string? Paths, string Source)> { (l.Elf.Runpath ?? l.Elf.Rpath, $"{(l.Elf.Runpath is null ? "DT_RPATH" : "DT_RUNPATH")} of {name}") };
            // The needing library's own DT_RPATH is ignored by ld when it also has a DT_RUNPATH: worth saying.
            if (l == by && l.Elf.Runpath is not null && l.Elf.Rpath is not null)
                lists.Add((l.Elf.Rpath, $"DT_RPATH of {name}, ignored because it also has a DT_RUNPATH"));
            foreach (var (paths, source) in lists)
                foreach (var e in Split(paths))
                    yield return (ctx.Absolute(SysrootPaths.RuntimeElement(e, ctx.Sysroot).Replace("$ORIGIN", origin, StringComparison.Ordinal).Replace("${ORIGIN}", origin, StringComparison.Ordinal)), source);
        }
    }

    public static bool IsStubsDirectory(string dir) => dir.Split('/').Contains("stubs");
}
