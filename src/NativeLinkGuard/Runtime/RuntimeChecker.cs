using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// <c>nativelinkguard runtime</c>: will ld.so load each file where it is deployed? Emulates the load
/// (<see cref="RuntimeResolver"/>), turns each failure into a finding with the chain and the directories searched,
/// and offers fixes that are re-checked by loading again with the fix applied. Files, listings, the cache and the
/// loader probe are shared by every file of one run.
/// </summary>
public sealed class RuntimeChecker
{
    private readonly LibraryFileCache _files = new();
    private readonly DirectoryIndex _dirs = new();
    private readonly Dictionary<string, LdSoCacheIndex> _caches = new(StringComparer.Ordinal);
    private readonly RuntimeRequest _request;
    // One loader model and resolver per ABI: its expanded run paths and search dirs serve every file of the run.
    private readonly Dictionary<(ElfClass, ushort), (LoaderEnvironment Env, RuntimeResolver Resolver, LdSoCacheIndex? Cache)> _loaders = new();
    // A missing library needed by the same file gets the same finding in every root that loads that file.
    private readonly Dictionary<(string Name, string NeededBy), Finding> _notFound = new();

    public RuntimeChecker(RuntimeRequest request) => _request = request;

    public RuntimeFileReport Check(string file)
    {
        string abs = file.StartsWith('/') ? file : Path.Combine(_request.WorkingDirectory, file);
        var rootFile = _files.Get(abs);
        if (rootFile is not { Kind: LibraryFileKind.Elf, Elf: { } rootElf })
            return Unloadable(file, $"{file}: {rootFile.Error ?? "not an ELF file"}");
        if (!_loaders.TryGetValue((rootElf.Class, rootElf.Machine), out var loader))
        {
            var e = LoaderProbe.For(rootElf.Class, rootElf.Machine, _request.Sysroot, _request.LdLibraryPath, _request.WorkingDirectory, _request.CacheDirectory);
            var c = e.CachePath is { } cp ? Cache(cp, e.Sysroot) : null;
            _loaders[(rootElf.Class, rootElf.Machine)] = loader = (e, new RuntimeResolver(e, _files, _dirs, c), c);
        }
        var (env, resolver, cache) = loader;
        var resolution = resolver.Resolve(file);
        if (resolution.RootError is { } rootError) return Unloadable(file, rootError);

        var findings = new List<Finding>();
        var advisor = new RuntimeFixAdvisor(env, _files, _dirs, cache, _request.HintDirectories, resolution);
        foreach (var lookup in resolution.Unresolved)
        {
            if (lookup.FatalError is not null) findings.Add(advisor.Fatal(lookup));
            else if (DriverLibraries.IsDriverProvided(lookup.Name)) findings.Add(DriverProvided(lookup));
            else
            {
                // Fixes are verified against the first root that meets this gap; the chain is each root's own.
                var key = (lookup.Name, lookup.NeededBy.Path);
                if (!_notFound.TryGetValue(key, out var f)) _notFound[key] = f = advisor.NotFound(lookup);
                findings.Add(f with { Chain = lookup.Chain, Searched = lookup.Searched, Message = advisor.NotFoundMessage(lookup) });
            }
        }
        findings.AddRange(advisor.StubsAtRunTime());

        var notes = new List<string>(env.Notes);
        if (!string.IsNullOrEmpty(env.LdLibraryPath)) notes.Add($"LD_LIBRARY_PATH={env.LdLibraryPath} (as configured for the deployment)");
        if (cache?.Error is { } ce) notes.Add(ce);
        var libraries = _request.IncludeLibraries
            ? resolution.Lookups.Select(l => new RuntimeLibrary(l.Name, l.NeededBy.Path, l.Found?.Path, l.Rule)).ToList()
            : [];
        return new RuntimeFileReport(file, !findings.Any(f => f.Severity == Severity.Error), findings, libraries, notes);
    }

    private LdSoCacheIndex Cache(string path, string sysroot)
    {
        if (!_caches.TryGetValue(path, out var index)) _caches[path] = index = new LdSoCacheIndex(path, sysroot);
        return index;
    }

    private static RuntimeFileReport Unloadable(string file, string why) => new(file, false,
        [new Finding(DiagnosticCodes.NotLoadableAtRunTime, Severity.Error, $"{file} cannot be loaded: {why}", file, null, [Path.GetFileName(file)], [], [], [], why)],
        [], []);

    private static Finding DriverProvided(RuntimeLookup l) => new(
        DiagnosticCodes.DriverLibraryAtRunTime, Severity.Info,
        $"{l.Name}, needed by {l.NeededBy.FileName}, is installed by the GPU driver on the machine that runs the program; it is not on this machine (expected on a build machine or CI runner without a GPU)",
        l.Name, l.NeededBy.Path, l.Chain, l.Searched, [],
        [$"where the driver is installed, ld.so finds {l.Name} through /etc/ld.so.cache; never make a CUDA toolkit's stubs directory stand in for it at run time (NLG0005)."],
        $"error while loading shared libraries: {l.Name}: cannot open shared object file: No such file or directory");
}
