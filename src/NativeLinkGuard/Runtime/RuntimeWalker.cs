using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// The walking half of a runtime check, for one thread: its own directory listings and one resolver per
/// ABI, shared by every root it walks. Walking is deterministic (every memo answers what a fresh search would), so
/// which walker takes which root never changes a report.
/// </summary>
internal sealed class RuntimeWalker(RuntimeRequest request, LoaderEnvironments environments, LibraryFileCache files)
{
    private readonly Dictionary<string, LdSoCacheIndex> _caches = new(StringComparer.Ordinal);
    private readonly Dictionary<(ElfClass, ushort),
        (LoaderEnvironment Env, RuntimeResolver Resolver, LdSoCacheIndex? Cache)> _loaders = new();

    /// <summary>Shared by every walker of a run (thread-safe for reads): each file is parsed once.</summary>
    public LibraryFileCache Files { get; } = files;
    public DirectoryIndex Directories { get; } = new();

    /// <summary>How many roots this walker will take, where known (its resolvers' memos are sized for them).</summary>
    public int ExpectedRoots { get; set; }

    public WalkedRoot Walk(string file)
    {
        string abs = file.StartsWith('/') ? file : Path.Combine(request.WorkingDirectory, file);
        var rootFile = Files.Get(abs);
        if (rootFile is not { Kind: LibraryFileKind.Elf, Elf: { } rootElf })
            return new WalkedRoot(file, this, RuntimeResolver.NotLoadable(file, abs, rootFile));
        if (!_loaders.TryGetValue((rootElf.Class, rootElf.Machine), out var loader))
        {
            var e = environments.For(rootElf.Class, rootElf.Machine);
            var c = e.CachePath is { } cp ? Cache(cp, e.Sysroot) : null;
            _loaders[(rootElf.Class, rootElf.Machine)] = loader =
                (e, new RuntimeResolver(e, Files, Directories, c, null, null, ExpectedRoots), c);
        }
        var resolution = loader.Resolver.Resolve(file, recordAll: false, listed: request.IncludeLibraries);
        if (resolution.RootError is { } rootError) return new WalkedRoot(file, this, rootError);
        // The failures' chains and search traces come from this walker's resolver: built here, on its thread.
        IReadOnlyList<RuntimeLookup> unresolved = resolution.HasUnresolved ? resolution.Unresolved.ToList() : [];
        foreach (var l in unresolved) _ = l.Chain;
        var libraries = resolution.Listing ?? LibraryListing.Empty;
        // A failure's lookups hold its objects (its findings compare them); a clean root's are rebuilt if asked.
        if (unresolved.Count == 0) resolution.ForgetBuilt();
        return new WalkedRoot(file, this, null, loader.Env, loader.Cache, resolution, unresolved, libraries);
    }

    private LdSoCacheIndex Cache(string path, string sysroot)
    {
        if (!_caches.TryGetValue(path, out var index)) _caches[path] = index = new LdSoCacheIndex(path, sysroot);
        return index;
    }
}

/// <summary>One root walked: either why it cannot be loaded at all, or its resolution with the failures
/// built.</summary>
internal sealed record WalkedRoot(string File, RuntimeWalker Walker, string? RootError,
    LoaderEnvironment? Env = null, LdSoCacheIndex? Cache = null, RuntimeResolution? Resolution = null,
    IReadOnlyList<RuntimeLookup>? Unresolved = null, IReadOnlyList<RuntimeLibrary>? Libraries = null);

/// <summary>ld.so's settings per ABI, probed (or read from the probe cache) once per run for all walkers.</summary>
internal sealed class LoaderEnvironments(RuntimeRequest request)
{
    private readonly Dictionary<(ElfClass, ushort), LoaderEnvironment> _envs = new();

    public LoaderEnvironment For(ElfClass elfClass, ushort machine)
    {
        lock (_envs)
        {
            if (!_envs.TryGetValue((elfClass, machine), out var e))
                _envs[(elfClass, machine)] = e = LoaderProbe.For(elfClass, machine, request.Sysroot,
                    request.LdLibraryPath, request.WorkingDirectory, request.CacheDirectory);
            return e;
        }
    }
}
