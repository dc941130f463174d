using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Emulates glibc's ld.so loading one file (a library as <c>dlopen</c> opens it, a program as exec starts it):
/// objects are mapped breadth-first; each DT_NEEDED is first matched against loaded objects (a SONAME, a requested name, a path), then
/// searched (glibc 2.36 <c>_dl_map_object</c>):
///   1. only if the needing object has no DT_RUNPATH: DT_RPATH of the needing object, of the object that loaded
///      it, and so on up to the root (DT_RPATH is inherited; glibc ignores DT_RPATH next to DT_RUNPATH);
///   2. LD_LIBRARY_PATH;
///   3. DT_RUNPATH of the needing object only (never inherited);
///   4. unless the needing object is DF_1_NODEFLIB: ld.so.cache, then the system directories.
/// Every directory is tried with its hwcaps subdirectories first. A candidate of another ELF class or machine is
/// skipped; one that is not ELF at all (or too short) is a fatal error, as in ld.so.
/// </summary>
public sealed class RuntimeResolver
{
    private readonly LoaderEnvironment _env;
    private readonly LibraryFileCache _files;
    private readonly DirectoryIndex _dirs;
    private readonly LdSoCacheIndex? _cache;
    private readonly IReadOnlyDictionary<string, string> _runpathOverrides;
    private readonly IReadOnlySet<string> _extraFiles;
    private readonly Dictionary<string, LoadedObject> _byIdentity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoadedObject> _byName = new(StringComparer.Ordinal);
    // Run paths expanded once per (origin, list): every object of a package shares its $ORIGIN and list.
    private readonly Dictionary<(string Origin, string List, string Separators), string[]> _expanded = new();
    private readonly Dictionary<string, string[]> _searchDirectories = new(StringComparer.Ordinal);
    // Across the roots of a run, a DT_NEEDED search depends only on the name, the needing object (its file, its
    // $ORIGIN), the inherited DT_RPATH lists and, when LD_LIBRARY_PATH uses $ORIGIN, the root's directory: remembered
    // by those, a tree shared by a thousand roots is searched once.
    private readonly Dictionary<(int ChainId, string Origin, string? RootOrigin), int> _chainIds = new();
    private readonly Dictionary<(string, int, string, int, string?), (List<SearchedDirectory> Searched, string? Fatal)> _failedSearches = new();
    private readonly Dictionary<(string Name, int Elf, string Origin, int ChainId, string? RootOrigin), ((string Path, ElfFile Elf)? Found, string? Rule, string? Fatal)> _searches = new();
    // ElfFile is a record (structural equality over its strings and lists): keys use a per-instance id instead.
    private readonly Dictionary<ElfFile, int> _elfIds = new(ReferenceEqualityComparer.Instance);

    // runpathOverrides: object path → the DT_RUNPATH it would have after a suggested relink or patchelf;
    // extraFiles: paths a suggestion would create (aliases in the file cache). Both only when verifying a fix.
    public RuntimeResolver(LoaderEnvironment env, LibraryFileCache files, DirectoryIndex dirs, LdSoCacheIndex? cache,
        IReadOnlyDictionary<string, string>? runpathOverrides = null, IReadOnlySet<string>? extraFiles = null)
    {
        _env = env;
        _files = files;
        _dirs = dirs;
        _cache = cache;
        _runpathOverrides = runpathOverrides ?? new Dictionary<string, string>();
        _extraFiles = extraFiles ?? new HashSet<string>();
    }

    public RuntimeResolution Resolve(string path)
    {
        var rootFile = _files.Get(Abs(path));
        if (rootFile.Kind != LibraryFileKind.Elf || rootFile.Elf is null)
            return new(path, null, [], [], $"{path}: {rootFile.Error ?? "not an ELF file"}");
        if (!rootFile.Elf.IsSharedObject && rootFile.Elf.Type != ElfType.Executable)
            return new(path, null, [], [], $"{path}: not a shared object or executable ({rootFile.Elf.Type})");
        if (rootFile.Elf.Class != _env.Class || rootFile.Elf.Machine != _env.Machine)
            return new(path, null, [], [], $"{path}: built for {rootFile.Elf.TargetName}, not for the loader's ABI");

        // A program started with exec gets $ORIGIN from /proc/self/exe, which the kernel has resolved through
        // symlinks; a library opened by path (dlopen, ld.so --list) keeps the directory as given.
        string? programOrigin = LoadedObject.IsProgram(rootFile.Elf) && NativeMethods.RealPath(Abs(path)) is { } real ? Path.GetDirectoryName(real) : null;
        _byIdentity.Clear();
        _byName.Clear();
        var root = Map(path, rootFile.Elf, null, programOrigin);
        AddName(root, path);
        var objects = new List<LoadedObject> { root };
        if (_dirs.Identity(Abs(path)) is { } rootId) _byIdentity[rootId] = root;
        LoadedObject? rtld = null;
        if (_env.RtldPath is { } rp && _files.Get(rp) is { Kind: LibraryFileKind.Elf, Elf: { } rtldElf })
        {
            // ld.so maps itself first: DT_NEEDED entries naming it (libc's ld-linux-x86-64.so.2) need no search.
            rtld = new LoadedObject(rp, rtldElf, null, _env.WorkingDirectory);
            IndexNames(rtld);
            AddName(rtld, rp);
            objects.Add(rtld);
            if (_dirs.Identity(rp) is { } rtldId) _byIdentity.TryAdd(rtldId, rtld);
        }

        var lookups = new List<RuntimeLookup>();
        for (int i = 0; i < objects.Count; i++)
        {
            var obj = objects[i];
            if (obj == rtld) continue;
            foreach (var name in obj.Elf.Needed)
            {
                var lookup = Lookup(name, obj, root, objects);
                lookups.Add(lookup);
                if (lookup.FatalError is not null) return new(path, root, objects, lookups, null);
            }
        }
        return new(path, root, objects, lookups, null);
    }

    private RuntimeLookup Lookup(string name, LoadedObject obj, LoadedObject root, List<LoadedObject> objects)
    {
        // A name matches a loaded object's SONAME, a name it was requested by, or its path (glibc's _dl_name_match_p).
        if (_byName.TryGetValue(name, out var loaded))
            return new RuntimeLookup(name, obj, loaded, loaded.Loader is null && loaded.Path == _env.RtldPath ? "the dynamic loader itself" : "already loaded", []);

        // The search trace is only recorded when it is reported: found lookups (nearly all) allocate none.
        string? rootOrigin = _env.LdLibraryPath?.Contains('$') == true ? root.Origin : null;
        if (!_elfIds.TryGetValue(obj.Elf, out int elfId)) _elfIds[obj.Elf] = elfId = _elfIds.Count + 1;
        var memoKey = (name, elfId, obj.Origin, obj.Elf.Runpath is null ? obj.RpathChainId : -1, rootOrigin);
        if (!_searches.TryGetValue(memoKey, out var memo))
        {
            var r = Search(name, obj, root, null, out string? ruleFound, out string? fatalFound);
            _searches[memoKey] = memo = (r, ruleFound, fatalFound);
        }
        var (found, rule, _) = memo;
        if (found is null)
        {
            if (!_failedSearches.TryGetValue(memoKey, out var failed))
            {
                var searched = new List<SearchedDirectory>();
                Search(name, obj, root, searched, out _, out string? fatal);
                _failedSearches[memoKey] = failed = (searched, fatal);
            }
            return new RuntimeLookup(name, obj, null, null, failed.Searched, failed.Fatal);
        }

        // ld.so compares device and inode: a second path to a mapped file reuses that object.
        string? id = _dirs.Identity(Abs(found.Value.Path));
        if (id is not null && _byIdentity.TryGetValue(id, out var same))
        {
            AddName(same, name);
            return new RuntimeLookup(name, obj, same, rule + " (same file as an object already loaded)", []);
        }
        var mapped = Map(found.Value.Path, found.Value.Elf, obj);
        AddName(mapped, name);
        objects.Add(mapped);
        if (id is not null) _byIdentity[id] = mapped;
        return new RuntimeLookup(name, obj, mapped, rule, []);
    }

    private void AddName(LoadedObject o, string name)
    {
        if (!o.Names.Contains(name)) o.Names.Add(name);
        _byName.TryAdd(name, o);
        _byName.TryAdd(o.Path, o);
    }

    private void IndexNames(LoadedObject o)
    {
        foreach (var n in o.Names) _byName.TryAdd(n, o);
        _byName.TryAdd(o.Path, o);
    }

    private LoadedObject Map(string path, ElfFile elf, LoadedObject? loader, string? origin = null)
    {
        if (_runpathOverrides.TryGetValue(path, out var runpath)) elf = elf with { Runpath = runpath, Rpath = null };
        var o = new LoadedObject(path, elf, loader, _env.WorkingDirectory, origin);
        int parent = loader?.RpathChainId ?? 0;
        if (o.EffectiveRpath is { } rpath)
        {
            var key = (parent, o.Origin + "\0" + rpath, (string?)null);
            if (!_chainIds.TryGetValue(key, out int id)) _chainIds[key] = id = _chainIds.Count + 1;
            o.RpathChainId = id;
        }
        else o.RpathChainId = parent;
        IndexNames(o);
        return o;
    }

    // searched: null on the fast path; a list when the trace is wanted (the lookup failed and is reported).
    private (string Path, ElfFile Elf)? Search(string name, LoadedObject obj, LoadedObject root, List<SearchedDirectory>? searched, out string? rule, out string? fatal)
    {
        rule = null;
        fatal = null;
        if (name.Contains('/'))
        {
            // A DT_NEEDED with a slash is opened as is (after $ORIGIN and friends), never searched.
            string p = ExpandTokens(name, obj);
            rule = "path in DT_NEEDED";
            var c = Try(p, out fatal, out string result);
            searched?.Add(new SearchedDirectory(p, rule, result));
            return c;
        }

        if (obj.Elf.Runpath is null)
            foreach (var l in obj.LoaderChain())
            {
                if (l.EffectiveRpath is not { } rpath) continue;
                if (TryDirectories(Expanded(rpath, l, ":"), name, l, "DT_RPATH of ", searched, out fatal) is { } r1)
                { rule = "DT_RPATH of " + l.FileName; return r1; }
                if (fatal is not null) return null;
            }

        if (!string.IsNullOrEmpty(_env.LdLibraryPath))
        {
            if (TryDirectories(Expanded(_env.LdLibraryPath, root, ":;"), name, null, "LD_LIBRARY_PATH", searched, out fatal) is { } r2)
            { rule = "LD_LIBRARY_PATH"; return r2; }
            if (fatal is not null) return null;
        }

        if (obj.Elf.Runpath is { } runpath)
        {
            if (TryDirectories(Expanded(runpath, obj, ":"), name, obj, "DT_RUNPATH of ", searched, out fatal) is { } r3)
            { rule = "DT_RUNPATH of " + obj.FileName; return r3; }
            if (fatal is not null) return null;
        }

        if (obj.NoDefaultLibs)
        {
            searched?.Add(new SearchedDirectory("(ld.so.cache and system directories)", "skipped", $"{obj.FileName} is linked with -z nodefaultlib"));
            return null;
        }

        if (_cache is not null)
        {
            if (_cache.Lookup(name, _env.Class, _env.Machine, _env.Subdirectories) is { } cached)
            {
                var c = Try(cached, out fatal, out string result);
                searched?.Add(new SearchedDirectory(cached, "ld.so.cache", result));
                if (c is not null) { rule = "ld.so.cache"; return c; }
                if (fatal is not null) return null;
            }
            else searched?.Add(new SearchedDirectory(_cache.Path, "ld.so.cache", $"no entry for {name}"));
        }
        if (_env.ConfDirectories.Count > 0)
        {
            if (TryDirectories(_env.ConfDirectories, name, null, "ld.so.conf (what ldconfig would cache)", searched, out fatal) is { } r4)
            { rule = "ld.so.conf"; return r4; }
            if (fatal is not null) return null;
        }

        if (TryDirectories(_env.SystemDirectories, name, null, "system search path", searched, out fatal) is { } r5)
        { rule = "system search path"; return r5; }
        return null;
    }

    /// <summary>A run-path list with its tokens expanded against an object's origin, split once and remembered.</summary>
    private string[] Expanded(string list, LoadedObject origin, string separators)
    {
        var key = (origin.Origin, list, separators);
        if (!_expanded.TryGetValue(key, out var dirs))
            _expanded[key] = dirs = list.Split(separators.ToCharArray()).Select(e => ExpandTokens(e, origin)).ToArray();
        return dirs;
    }

    // ruleObject/rulePrefix: the rule's text ("DT_RPATH of " + file name) is only built when the trace is recorded.
    private (string Path, ElfFile Elf)? TryDirectories(IReadOnlyList<string> dirs, string name, LoadedObject? ruleObject, string rulePrefix,
        List<SearchedDirectory>? searched, out string? fatal)
    {
        fatal = null;
        string Rule() => ruleObject is null ? rulePrefix : rulePrefix + ruleObject.FileName;
        string Shown(string dir) => dir.Length == 0 ? "(empty element: the working directory)" : dir;
        foreach (var dir in dirs)
        {
            string? result = null;
            foreach (var d in SearchDirectories(dir))
            {
                // glibc drops trailing slashes of a search dir (except "/") before appending the name.
                string candidate = d.Length == 0 ? name : (d.EndsWith('/') ? d.TrimEnd('/') : d) + "/" + name;
                if (!_dirs.Contains(Abs(d.Length == 0 ? "." : d), name) && !_extraFiles.Contains(candidate)) continue;
                var c = Try(candidate, out fatal, out string r);
                if (c is not null || fatal is not null)
                {
                    searched?.Add(new SearchedDirectory(Shown(dir), Rule(), r));
                    return c;
                }
                if (IsSymlinkLoop(Abs(candidate)))
                {
                    // open() failing with anything but ENOENT/EACCES ends this list (glibc's open_path returns -1);
                    // ld.so goes on with the next source.
                    searched?.Add(new SearchedDirectory(Shown(dir), Rule(), $"{name} is a symlink loop: ld.so stops searching this list here"));
                    return null;
                }
                result ??= r;
            }
            searched?.Add(new SearchedDirectory(Shown(dir), Rule(),
                result ?? (_dirs.DirectoryExists(Abs(dir.Length == 0 ? "." : dir)) ? $"no {name}" : "no such directory")));
        }
        return null;
    }

    /// <summary>The hwcaps subdirectories of DIR that exist, best first, then DIR itself; remembered per run.</summary>
    private string[] SearchDirectories(string dir)
    {
        if (_searchDirectories.TryGetValue(dir, out var list)) return list;
        var result = new List<string>();
        foreach (var sub in _env.Subdirectories)
        {
            if (sub.Length == 0) { result.Add(dir); continue; }
            string d = dir.TrimEnd('/') + "/" + sub;
            if (_dirs.DirectoryExists(Abs(d))) result.Add(d);
        }
        if (!result.Contains(dir)) result.Add(dir);
        return _searchDirectories[dir] = [.. result];
    }

    /// <summary>Opens a candidate as ld.so's open_verify does.</summary>
    private (string Path, ElfFile Elf)? Try(string candidate, out string? fatal, out string result)
    {
        fatal = null;
        var f = _files.Get(Abs(candidate));
        switch (f.Kind)
        {
            case LibraryFileKind.Missing or LibraryFileKind.Directory:
                result = f.Kind == LibraryFileKind.Missing && new FileInfo(Abs(candidate)).LinkTarget is { } t ? $"dangling symlink to {t}" : $"no {Path.GetFileName(candidate)}";
                return null;
            case LibraryFileKind.Unreadable:
                result = $"{Path.GetFileName(candidate)} cannot be opened ({f.Error}): skipped";
                return null;
            case LibraryFileKind.Elf when f.Elf is { } elf:
                if (elf.Class != _env.Class) { result = $"{Path.GetFileName(candidate)} is {elf.TargetName}: skipped (other ELF class)"; return null; }
                if (elf.Machine != _env.Machine) { result = $"{Path.GetFileName(candidate)} is {elf.TargetName}: skipped (other machine)"; return null; }
                if (elf.OsAbi is not (0 or 3)) { fatal = $"{candidate}: ELF file OS ABI invalid"; result = fatal; return null; }
                if (!elf.IsSharedObject && elf.Type != ElfType.Executable) { fatal = $"{candidate}: only ET_DYN and ET_EXEC can be loaded"; result = fatal; return null; }
                result = "found";
                return (candidate, elf);
            default:
                long length = 0;
                try { length = new FileInfo(Abs(candidate)).Length; } catch (IOException) { }
                fatal = length < (_env.Class == ElfClass.Elf64 ? 64 : 52) ? $"{candidate}: file too short" : $"{candidate}: invalid ELF header";
                if (f.Kind == LibraryFileKind.Malformed) fatal = $"{candidate}: {f.Error}";
                result = fatal;
                return null;
        }
    }

    private static bool IsSymlinkLoop(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null) return false;
            info.ResolveLinkTarget(returnFinalTarget: true);
            return false;
        }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>$ORIGIN, $LIB and $PLATFORM (also as ${…}); like ld.so, other $-words stay as they are.</summary>
    public string ExpandTokens(string s, LoadedObject origin)
    {
        if (!s.Contains('$')) return s;
        var sb = new System.Text.StringBuilder(s.Length + 32);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '$' && Token(s, i + 1, out int length) is { } token)
            {
                sb.Append(token switch { "ORIGIN" => origin.Origin, "LIB" => _env.DstLib, _ => _env.Platform });
                i += length;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static string? Token(string s, int at, out int length)
    {
        foreach (var name in (ReadOnlySpan<string>)["ORIGIN", "PLATFORM", "LIB"])
        {
            if (string.CompareOrdinal(s, at, "{" + name + "}", 0, name.Length + 2) == 0) { length = name.Length + 2; return name; }
            int end = at + name.Length;
            // A bare token must end the word: $ORIGINAL is not $ORIGIN (glibc's is_dst).
            if (string.CompareOrdinal(s, at, name, 0, name.Length) == 0 && (end == s.Length || !(char.IsAsciiLetterOrDigit(s[end]) || s[end] == '_')))
            { length = name.Length; return name; }
        }
        length = 0;
        return null;
    }

    private string Abs(string p) => p.StartsWith('/') ? p : _env.WorkingDirectory.TrimEnd('/') + "/" + p;
}
