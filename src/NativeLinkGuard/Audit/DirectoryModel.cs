namespace NativeLinkGuard.Audit;

/// <summary>A command the audit may suggest, run in the audited
/// directory: <c>ln -sfn TARGET NAME</c> or <c>rm -f NAME</c>.</summary>
internal sealed record FixOp(string Name, string? Target)
{
    public static FixOp Link(string target, string name) => new(name, target);

    public static FixOp Remove(string name) => new(name, null);

    public string Render() => Target is { } t
        ? $"ln -sfn {Diagnostics.ShellQuote.Quote(t)} {Diagnostics.ShellQuote.Quote(Name)}"
        : $"rm -f {Diagnostics.ShellQuote.Quote(Name)}";
}

/// <summary>Where a name leads: the file's (device, inode), whether it
/// lies in the audited directory, or why it leads nowhere.</summary>
internal readonly record struct Resolution((uint, uint, ulong)? Identity, bool Inside, string? Error)
{
    public bool Resolves => Error is null && Identity is not null;
}

/// <summary>
/// The audited directory as names → regular file, symlink or other, read from disk on first use, with the changes of
/// <see cref="FixOp"/>s laid over it in memory: the suggested commands are tried here before anyone sees them.
/// Symlinks that leave the directory are resolved by the real file system (that part no command changes).
/// </summary>
internal sealed class DirectoryModel
{
    private abstract record Node;
    private sealed record FileNode((uint, uint, ulong) Identity, bool Regular) : Node;
    private sealed record LinkNode(string Target) : Node;

    private readonly string _dir;
    private readonly string? _realDir;
    private readonly Dictionary<string, Node?> _disk;
    private readonly Dictionary<string, Node?> _overlay = new(StringComparer.Ordinal);

    public DirectoryModel(string dir)
    {
        _dir = dir;
        _realDir = NativeMethods.RealPath(dir);
        _disk = new Dictionary<string, Node?>(StringComparer.Ordinal);
    }

    private DirectoryModel(DirectoryModel from)
    {
        _dir = from._dir;
        _realDir = from._realDir;
        _disk = from._disk;
        _pathOf = from._pathOf;
        _sameBytes = from._sameBytes;
        _overlay = new Dictionary<string, Node?>(from._overlay, StringComparer.Ordinal);
    }

    public DirectoryModel Clone() => new(this);

    // A path on disk that holds each file met so far (shared by clones), for comparing bytes.
    private readonly Dictionary<(uint, uint, ulong), string> _pathOf = [];

    private readonly Dictionary<((uint, uint, ulong), (uint, uint, ulong)), bool> _sameBytes = [];

    /// <summary>Whether two files (by identity, at a path met so far)
    /// hold the same bytes; each pair is read once per audit.</summary>
    public bool SameBytes((uint, uint, ulong) a, (uint, uint, ulong) b)
    {
        if (a == b) return true;
        var key = a.CompareTo(b) < 0 ? (a, b) : (b, a);
        if (!_sameBytes.TryGetValue(key, out bool same))
            _sameBytes[key] = same = _pathOf.TryGetValue(a, out var pa)
                && _pathOf.TryGetValue(b, out var pb) && FileBytes.Same(pa, pb);
        return same;
    }

    /// <summary>Makes a file known by the path it was read at.</summary>
    public void Know((uint, uint, ulong) identity, string path) => _pathOf.TryAdd(identity, path);

    public bool Exists(string name) => Get(name) is not null;

    public bool IsLink(string name) => Get(name) is LinkNode;

    public bool IsDirectory(string name) => Get(name) is FileNode { Regular: false }
        && NativeMethods.Stat(Path.Combine(_dir, name)) is { Type: FileStatType.Directory };

    public bool IsRegularFile(string name, out (uint, uint, ulong) identity)
    {
        identity = default;
        if (Get(name) is not FileNode { Regular: true } f) return false;
        identity = f.Identity;
        return true;
    }

    public void Apply(FixOp op) => _overlay[op.Name] = op.Target is { } t ? new LinkNode(t) : null;

    /// <summary>The overlay as text, to compare two models (idempotence).</summary>
    public string State =>
        string.Join('\n', _overlay.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    public Resolution Resolve(string name)
    {
        for (int hops = 0; hops < 40; hops++)
        {
            switch (Get(name))
            {
                case null:
                    return new Resolution(null, true, "No such file or directory");
                case FileNode f:
                    return new Resolution(f.Identity, true, null);
                case LinkNode { Target: var t } when !t.Contains('/'):
                    name = t;
                    continue;
                case LinkNode:
                    // Only links read from disk have a '/' in their target: the suggested ones never do.
                    string path = Path.Combine(_dir, name);
                    string? real = NativeMethods.RealPath(path);
                    if (real is null)
                        return new Resolution(null, false,
                            NativeMethods.Stat(path, out int errno) is null && errno == 40
                                ? "Too many levels of symbolic links"
                                : "No such file or directory");
                    if (Path.GetDirectoryName(real) == _realDir
                        && Path.GetFileName(real) is { Length: > 0 } back && back != name)
                    {
                        name = back; // out and back in (an absolute link through the /usr merge): follow the model
                        continue;
                    }
                    var st = NativeMethods.Stat(real);
                    if (st is null) return new Resolution(null, false, "No such file or directory");
                    _pathOf.TryAdd(st.Value.Identity, real);
                    return new Resolution(st.Value.Identity, Path.GetDirectoryName(real) == _realDir, null);
            }
        }
        return new Resolution(null, true, "Too many levels of symbolic links");
    }

    private Node? Get(string name)
    {
        if (_overlay.TryGetValue(name, out var n)) return n;
        if (_disk.TryGetValue(name, out n)) return n;
        string path = Path.Combine(_dir, name);
        var lst = NativeMethods.LinkStat(path);
        if (lst is null) n = null;
        else if (new FileInfo(path).LinkTarget is { } target) n = new LinkNode(target);
        else
        {
            n = new FileNode(lst.Value.Identity, lst.Value.Type == FileStatType.Regular);
            _pathOf.TryAdd(lst.Value.Identity, path);
        }
        _disk[name] = n;
        return n;
    }
}
