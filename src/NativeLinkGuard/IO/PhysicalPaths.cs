namespace NativeLinkGuard;

/// <summary>
/// Spellings of one path the kernel resolves alike, without following links: "a/x/../b" is "a/b" only when "a/x" is
/// a real directory. ".." applies to the directory the kernel has reached, so after a symlink it is the target's
/// parent, and after a missing directory the whole path fails (ENOENT): a lexical shortening (Path.GetFullPath)
/// would be wrong in both cases, and such paths keep their spelling. Answers are remembered per run.
/// </summary>
public sealed class PhysicalPaths
{
    private readonly Dictionary<string, string> _equivalents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _plainDirectories = new(StringComparer.Ordinal);

    /// <summary>An absolute PATH without ".", ".." or "//" naming the same file, or PATH itself.</summary>
    public string Equivalent(string path)
    {
        if (!path.StartsWith('/') || !(path.Contains("/.", StringComparison.Ordinal) || path.Contains("//", StringComparison.Ordinal))) return path;
        if (_equivalents.TryGetValue(path, out var known)) return known;
        List<string>? parts = [];
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part != "..") { parts.Add(part); continue; }
            if (parts.Count == 0) continue; // "/.." is "/"
            if (!IsPlainDirectory("/" + string.Join('/', parts))) { parts = null; break; }
            parts.RemoveAt(parts.Count - 1);
        }
        // "a/." names a directory: keep a trailing slash meaningful by leaving such paths as they are.
        string result = parts is null || path.EndsWith('/') ? path : "/" + string.Join('/', parts);
        return _equivalents[path] = result;
    }

    private bool IsPlainDirectory(string path)
    {
        if (!_plainDirectories.TryGetValue(path, out bool plain))
            _plainDirectories[path] = plain = NativeMethods.LinkStat(path) is { Type: FileStatType.Directory };
        return plain;
    }
}
