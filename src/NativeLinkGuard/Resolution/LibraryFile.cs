using NativeLinkGuard.Elf;
using NativeLinkGuard.Scripts;
using NativeLinkGuard.Symbols;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Resolution;

public enum LibraryFileKind { Missing, Unreadable, Directory, Elf, Archive, Text, Unknown, Malformed }

/// <summary>One file as the resolver sees it, read once per run.</summary>
public sealed record LibraryFile(string Path, LibraryFileKind Kind, ElfFile? Elf, string? Error)
{
    public bool Exists => Kind is not (LibraryFileKind.Missing or LibraryFileKind.Directory);

    /// <summary>"major:minor:inode" from the statx the file was read after (null where statx is missing): ld.so's
    /// same-file test, without asking again.</summary>
    public string? Identity { get; init; }
}

/// <summary>
/// Reads and caches file identities for one run. Keyed by the path as tried; the same inode reached by two
/// names is read twice at most, which keeps the key free of a stat call on every lookup.
/// </summary>
public sealed class LibraryFileCache
{
    private readonly Dictionary<string, LibraryFile> _files = new(StringComparer.Ordinal);
    // Each file is parsed once per run however it is reached: symlinks, "a/../b" spellings and hard links share one
    // entry, keyed by what statx says identifies this version of the file.
    private readonly Dictionary<(uint, uint, ulong, long, long), LibraryFile> _byIdentity = new();
    private readonly LibraryFileCache? _parent;
    private readonly PhysicalPaths _physical = new();
    // The files' dynamic strings, each spelling once (kept as long as the files are).
    private readonly ElfStrings _strings = new();
    private readonly IReadOnlyDictionary<string, string>? _aliases;

    public LibraryFileCache()
    {
    }

    private LibraryFileCache(LibraryFileCache parent, IReadOnlyDictionary<string, string> aliases)
    {
        _parent = parent;
        _aliases = aliases;
    }

    public int FilesRead => _filesRead;

    /// <summary>Makes room for about COUNT files at once: a run over a thousand roots otherwise regrows its tables
    /// a dozen times, each copy in fresh memory.</summary>
    internal void ExpectFiles(int count)
    {
        lock (_gate)
        {
            _files.EnsureCapacity(count);
            _byIdentity.EnsureCapacity(count);
        }
    }

    /// <summary>Whether PATH, as spelled, has an entry (tests).</summary>
    internal bool Knows(string path)
    {
        lock (_gate) return _files.ContainsKey(path);
    }
    private int _filesRead;

    private readonly HashSet<string> _otherDependencies = new(StringComparer.Ordinal);

    /// <summary>Records a file the result depends on that is not read through this cache (ld.so.conf, the
    /// linker).</summary>
    public void Depend(string path)
    {
        if (_parent is not null) _parent.Depend(path);
        else _otherDependencies.Add(path);
    }

    /// <summary>
    /// What the results of this run depend on: every path tried (present or absent) and its directory — a file
    /// appearing in a searched directory changes that directory's mtime — and the other recorded files.
    /// </summary>
    public IReadOnlyList<string> Dependencies()
    {
        var set = new SortedSet<string>(_otherDependencies, StringComparer.Ordinal);
        foreach (var p in _files.Keys)
        {
            set.Add(p);
            if (Path.GetDirectoryName(p) is { Length: > 0 } dir) set.Add(dir);
        }
        return [.. set];
    }

    /// <summary>
    /// A view in which each alias path reads as the file it names (a symlink or copy a suggestion would create),
    /// everything else as in this cache: how a fix is tried out without touching the disk.
    /// </summary>
    public LibraryFileCache WithAliases(IReadOnlyDictionary<string, string> aliases) => new(this, aliases);

    private readonly Dictionary<string, LibraryFile> _virtual = new(StringComparer.Ordinal);

    /// <summary>
    /// A library that an earlier target of the same build will produce: it takes part in resolution exactly like
    /// a real file (ld would see it when the link runs). A real file at that path is replaced by the prediction.
    /// </summary>
    public void AddVirtual(string path,
        ElfFile predicted) => AddVirtual(new LibraryFile(path, LibraryFileKind.Elf, predicted, null));

    /// <summary>
    /// A static library an earlier target will archive: present when the link runs, members unknown (they are the
    /// target's objects), so the symbol stage cannot decide on it.
    /// </summary>
    public void AddVirtualArchive(string path) => AddVirtual(new LibraryFile(path, LibraryFileKind.Archive, null,
        null));

    private readonly HashSet<string> _predictedNames = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether a library the build will produce has this file name or SONAME: where it will be found at run time is
    /// only known once it exists, so no run-time verdict may rest on its absence now.
    /// </summary>
    public bool IsPredictedName(string name)
    {
        if (_parent is not null) return _parent.IsPredictedName(name);
        lock (_gate) return _predictedNames.Contains(name);
    }

    private void AddVirtual(LibraryFile predicted)
    {
        lock (_gate)
        {
            _predictedNames.Add(Path.GetFileName(predicted.Path));
            if (predicted.Elf?.Soname is { } soname) _predictedNames.Add(soname);
            _virtual[predicted.Path] = predicted;
            _files.Remove(predicted.Path);
            _symbols.Remove(predicted.Path);
        }
    }

    // Get may be called from several threads (the runtime check's walkers share one cache): the tables are guarded,
    // files are read outside the lock, and when two threads read one file the first entry stays the only one.
    private readonly object _gate = new();

    public LibraryFile Get(string path)
    {
        if (_parent is not null)
            return AliasTarget(path) is { } target ? _parent.Get(target) with { Path = path } : _parent.Get(path);
        lock (_gate)
        {
            if (_virtual.TryGetValue(path, out var v)) return v;
            if (_files.TryGetValue(path, out var f)) return f;
        }
        var read = Read(path);
        lock (_gate)
        {
            if (_files.TryGetValue(path, out var first)) return first;
            _files[path] = read;
        }
        return read;
    }

    /// <summary>
    /// Reads PATH ahead of need, from another thread (<see cref="Runtime.RootPrefetcher"/>): kept only when it is an
    /// ELF file read without error, so a file missing now and made before the walk reaches it is still seen, as it
    /// is without prefetching. Only plain absolute paths (no "..", ".", "//"), which no other spelling stands for.
    /// Returns the file when this call added it.
    /// </summary>
    public LibraryFile? Prefetch(string path)
    {
        if (_parent is not null || !path.StartsWith('/') || path.Contains("/.", StringComparison.Ordinal)
            || path.Contains("//", StringComparison.Ordinal)) return null;
        lock (_gate)
            if (_virtual.ContainsKey(path) || _files.ContainsKey(path)) return null;
        var read = Read(path);
        if (read.Kind != LibraryFileKind.Elf || read.Error is not null) return null;
        lock (_gate) return _files.TryAdd(path, read) ? read : null;
    }

    /// <summary>The file an alias path stands for, however the path is spelled ("build/../deps/x" is
    /// "deps/x").</summary>
    private string? AliasTarget(string path)
    {
        if (_aliases!.TryGetValue(path, out var target)) return target;
        if (!path.Contains("/.", StringComparison.Ordinal)
            && !path.Contains("//", StringComparison.Ordinal)) return null;
        string plain;
        lock (_parent!._gate) plain = _parent._physical.Equivalent(path);
        return _aliases.TryGetValue(plain, out target) ? target : null;
    }

    private readonly Dictionary<(string, string), LdSoConfResult> _ldSoConf = [];

    /// <summary>
    /// ld.so.conf (with its includes) as <see cref="LdSoConfReader"/> reads it, once per run: every fix verified
    /// resolves the link again and searches it for each DT_NEEDED.
    /// </summary>
    public LdSoConfResult LdSoConf(string conf, string sysroot)
    {
        if (_parent is not null) return _parent.LdSoConf(conf, sysroot);
        lock (_gate)
            if (_ldSoConf.TryGetValue((conf, sysroot), out var known)) return known;
        var read = LdSoConfReader.Read(conf, sysroot);
        lock (_gate) return _ldSoConf.TryAdd((conf, sysroot), read) ? read : _ldSoConf[(conf, sysroot)];
    }

    private readonly Dictionary<string, (LinkerScript?, string?)> _scripts = new(StringComparer.Ordinal);

    /// <summary>A linker script this run read at PATH (parsed, or why it could not be read) that reads the same in
    /// every link (it has no INCLUDE); null when there is none. Aliases are not applied: scripts are read from
    /// disk.</summary>
    internal (LinkerScript? Script, string? Error)? Script(string path)
    {
        if (_parent is not null) return _parent.Script(path);
        lock (_gate) return _scripts.TryGetValue(path, out var s) ? s : null;
    }

    internal void AddScript(string path, (LinkerScript? Script, string? Error) script)
    {
        if (_parent is not null) _parent.AddScript(path, script);
        else lock (_gate) _scripts.TryAdd(path, script);
    }

    private readonly Dictionary<string, SymbolFile> _symbols = new(StringComparer.Ordinal);

    /// <summary>
    /// The symbol view of a file, opened once per run (aliases read as their targets). A predicted library has no
    /// symbols yet: that is an error value, and the symbol stage then says it cannot decide.
    /// </summary>
    public SymbolFile Symbols(string path)
    {
        if (_parent is not null) return _parent.Symbols(AliasTarget(path) ?? path);
        if (_symbols.TryGetValue(path, out var s)) return s;
        var f = Get(path);
        s = _virtual.ContainsKey(path) || f.Elf?.PredictedFrom is not null
            ? new SymbolFile
            {
                Error = new ElfReadError(ElfReadErrorKind.Unsupported,
                $"{path} is predicted (not built yet): its symbols are unknown")
            }
            : SymbolFiles.Open(path, f.Kind, f.Elf?.IsSharedObject == true);
        _symbols[path] = s;
        return s;
    }

    private LibraryFile Read(string path)
    {
        try
        {
            // "a/lib/../../b/lib/x" and "c/lib/../../b/lib/x" name one file when the kernel resolves them alike.
            string normal;
            lock (_gate)
            {
                normal = _physical.Equivalent(path);
                if (!ReferenceEquals(normal, path)
                    && _files.TryGetValue(normal, out var spelled)) return spelled with { Path = path };
            }
            // One statx answers what used to take several stats, and keeps FIFOs and devices from ever being opened.
            var st = NativeMethods.Stat(path, out int errno);
            if (errno is 2 or 20) return new LibraryFile(path, LibraryFileKind.Missing, null,
                "No such file or directory");
            if (errno == 40) return new LibraryFile(path, LibraryFileKind.Missing, null,
                "Too many levels of symbolic links");
            if (errno == 13) return new LibraryFile(path, LibraryFileKind.Unreadable, null,
                $"{path}: Permission denied");
            if (st is { Type: FileStatType.Directory }) return new LibraryFile(path, LibraryFileKind.Directory, null,
                "is a directory");
            if (st is { Type: FileStatType.Other }) return new LibraryFile(path, LibraryFileKind.Unreadable, null,
                $"{path}: not a regular file (a FIFO, socket or device)");
            if (st is null)
            {
                if (Directory.Exists(path)) return new LibraryFile(path, LibraryFileKind.Directory, null,
                    "is a directory");
                if (!File.Exists(path)) return new LibraryFile(path, LibraryFileKind.Missing, null,
                    "No such file or directory");
            }
            var id = st is { } s ? (s.DevMajor, s.DevMinor, s.Inode, s.Size, s.MtimeSeconds) : default;
            lock (_gate)
                if (st is not null && _byIdentity.TryGetValue(id, out var same)) return Remember(normal,
                    same with { Path = path });
            var read = ReadFile(path, st);
            lock (_gate)
            {
                // Only a file read without error stands for its other names: an error names the path it was read
                // by, so the answer for each path never depends on which name (or which thread) reached it first.
                if (st is null || read.Error is not null) return Remember(normal, read);
                if (_byIdentity.TryGetValue(id, out var first)) return Remember(normal, first with { Path = path });
                _byIdentity[id] = read;
                return Remember(normal, read);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LibraryFile(path, LibraryFileKind.Unreadable, null, e.Message);
        }
    }

    private LibraryFile Remember(string normal, LibraryFile file)
    {
        // Under the path as tried, Get stores it; under another spelling, a copy that names that spelling.
        if (normal == file.Path) return file;
        lock (_gate) _files.TryAdd(normal, file with { Path = normal });
        return file;
    }

    // ST: the statx the file is read after (null where there is none): its identity, and its size and type, so the
    // open needs no second statx.
    private LibraryFile ReadFile(string path, FileStat? st)
    {
        string? identity = st?.DeviceInode;
        // A local function, never a delegate: it captures PATH and IDENTITY without allocating.
        LibraryFile Made(LibraryFileKind kind, ElfFile? elf, string? error) =>
            new(path, kind, elf, error) { Identity = identity };
        try
        {
            Interlocked.Increment(ref _filesRead);
            using var src = st is { Type: FileStatType.Regular } known ? new FileByteSource(path, known.Size)
                : new FileByteSource(path);
            Span<byte> head = stackalloc byte[64];
            int n = src.ReadAt(0, head);
            head = head[..n];
            return FileSniffer.Classify(head) switch
            {
                FileKind.Elf => ElfReader.TryRead(src, _strings, out var elf, out var err)
                    ? Made(LibraryFileKind.Elf, elf, null) : Made(LibraryFileKind.Malformed, null, err!.ToString()),
                FileKind.Archive or FileKind.ThinArchive => Made(LibraryFileKind.Archive, ArchiveHeader(path), null),
                FileKind.Text => Made(LibraryFileKind.Text, null, null),
                _ => Made(LibraryFileKind.Unknown, null, "file format not recognized"),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Made(LibraryFileKind.Unreadable, null, e.Message);
        }
    }

    private static ElfFile? ArchiveHeader(string path) =>
        ArchiveReader.TryReadFirstMember(path, out var first, out _) ? first : null;
}
