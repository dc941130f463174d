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
        var root = Map(path, rootFile.Elf, null, programOrigin);
        root.Names.Add(path);
        var objects = new List<LoadedObject> { root };
        _byIdentity.Clear();
        if (_dirs.Identity(Abs(path)) is { } rootId) _byIdentity[rootId] = root;
        LoadedObject? rtld = null;
        if (_env.RtldPath is { } rp && _files.Get(rp) is { Kind: LibraryFileKind.Elf, Elf: { } rtldElf })
        {
            // ld.so maps itself first: DT_NEEDED entries naming it (libc's ld-linux-x86-64.so.2) need no search.
            rtld = new LoadedObject(rp, rtldElf, null, _env.WorkingDirectory);
            rtld.Names.Add(rp);
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
        foreach (var o in objects)
            if (o.Names.Contains(name) || o.Path == name)
            {
                o.Names.Add(name);
                return new RuntimeLookup(name, obj, o, o.Loader is null && o.Path == _env.RtldPath ? "the dynamic loader itself" : "already loaded", []);
            }

        var searched = new List<SearchedDirectory>();
        var found = Search(name, obj, root, searched, out string? rule, out string? fatal);
        if (fatal is not null) return new RuntimeLookup(name, obj, null, null, searched, fatal);
        if (found is null) return new RuntimeLookup(name, obj, null, null, searched);

        // ld.so compares device and inode: a second path to a mapped file reuses that object.
        string? id = _dirs.Identity(Abs(found.Value.Path));
        if (id is not null && _byIdentity.TryGetValue(id, out var same))
        {
            same.Names.Add(name);
            return new RuntimeLookup(name, obj, same, rule + " (same file as an object already loaded)", searched);
        }
        var mapped = Map(found.Value.Path, found.Value.Elf, obj);
        mapped.Names.Add(name);
        objects.Add(mapped);
        if (id is not null) _byIdentity[id] = mapped;
        return new RuntimeLookup(name, obj, mapped, rule, searched);
    }

    private LoadedObject Map(string path, ElfFile elf, LoadedObject? loader, string? origin = null)
    {
        if (_runpathOverrides.TryGetValue(path, out var runpath)) elf = elf with { Runpath = runpath, Rpath = null };
        return new LoadedObject(path, elf, loader, _env.WorkingDirectory, origin);
    }

    private (string Path, ElfFile Elf)? Search(string name, LoadedObject obj, LoadedObject root, List<SearchedDirectory> searched, out string? rule, out string? fatal)
    {
        rule = null;
        fatal = null;
        if (name.Contains('/'))
        {
            // A DT_NEEDED with a slash is opened as is (after $ORIGIN and friends), never searched.
            string p = ExpandTokens(name, obj);
            rule = "path in DT_NEEDED";
            var c = Try(p, out fatal, out string result);
            searched.Add(new SearchedDirectory(p, rule, result));
            return c;
        }

        if (obj.Elf.Runpath is null)
            foreach (var l in obj.LoaderChain())
                if (l.EffectiveRpath is { } rpath
                    && TryDirectories(SplitPath(rpath, l, ":"), name, $"DT_RPATH of {l.FileName}", searched, out fatal) is { } r1)
                { rule = $"DT_RPATH of {l.FileName}"; return r1; }
                else if (fatal is not null) return null;

        if (!string.IsNullOrEmpty(_env.LdLibraryPath)
            && TryDirectories(SplitPath(_env.LdLibraryPath, root, ":;"), name, "LD_LIBRARY_PATH", searched, out fatal) is { } r2)
        { rule = "LD_LIBRARY_PATH"; return r2; }
        if (fatal is not null) return null;

        if (obj.Elf.Runpath is { } runpath
            && TryDirectories(SplitPath(runpath, obj, ":"), name, $"DT_RUNPATH of {obj.FileName}", searched, out fatal) is { } r3)
        { rule = $"DT_RUNPATH of {obj.FileName}"; return r3; }
        if (fatal is not null) return null;

        if (obj.NoDefaultLibs)
        {
            searched.Add(new SearchedDirectory("(ld.so.cache and system directories)", "skipped", $"{obj.FileName} is linked with -z nodefaultlib"));
            return null;
        }

        if (_cache is not null)
        {
            if (_cache.Lookup(name, _env.Class, _env.Machine, _env.Subdirectories) is { } cached)
            {
                var c = Try(cached, out fatal, out string result);
                searched.Add(new SearchedDirectory(cached, "ld.so.cache", result));
                if (c is not null) { rule = "ld.so.cache"; return c; }
                if (fatal is not null) return null;
            }
            else searched.Add(new SearchedDirectory(_cache.Path, "ld.so.cache", $"no entry for {name}"));
        }
        if (_env.ConfDirectories.Count > 0
            && TryDirectories(_env.ConfDirectories, name, "ld.so.conf (what ldconfig would cache)", searched, out fatal) is { } r4)
        { rule = "ld.so.conf"; return r4; }
        if (fatal is not null) return null;

        if (TryDirectories(_env.SystemDirectories, name, "system search path", searched, out fatal) is { } r5)
        { rule = "system search path"; return r5; }
        return null;
    }

    private (string Path, ElfFile Elf)? TryDirectories(IEnumerable<string> dirs, string name, string rule, List<SearchedDirectory> searched, out string? fatal)
    {
        fatal = null;
        foreach (var dir in dirs)
        {
            string? result = null;
            foreach (var sub in _env.Subdirectories)
            {
                string d = sub.Length == 0 ? dir : dir.TrimEnd('/') + "/" + sub;
                string candidate = d.Length == 0 ? name : d.TrimEnd('/') + "/" + name;
                if (!_extraFiles.Contains(candidate) && !_dirs.Contains(Abs(d.Length == 0 ? "." : d), name)) continue;
                var c = Try(candidate, out fatal, out string r);
                if (c is not null || fatal is not null)
                {
                    searched.Add(new SearchedDirectory(dir.Length == 0 ? "(empty element: the working directory)" : dir, rule, r));
                    return c;
                }
                if (IsSymlinkLoop(Abs(candidate)))
                {
                    // open() failing with anything but ENOENT/EACCES ends this list (glibc's open_path returns -1);
                    // ld.so goes on with the next source.
                    searched.Add(new SearchedDirectory(dir.Length == 0 ? "(empty element: the working directory)" : dir, rule,
                        $"{name} is a symlink loop: ld.so stops searching this list here"));
                    return null;
                }
                result ??= r;
            }
            searched.Add(new SearchedDirectory(dir.Length == 0 ? "(empty element: the working directory)" : dir, rule,
                result ?? (_dirs.DirectoryExists(Abs(dir.Length == 0 ? "." : dir)) ? $"no {name}" : "no such directory")));
        }
        return null;
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

    private IEnumerable<string> SplitPath(string list, LoadedObject origin, string separators)
    {
        foreach (var element in list.Split(separators.ToCharArray()))
            yield return ExpandTokens(element, origin);
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
