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
        if (!path.StartsWith('/')
            || !(path.Contains("/.", StringComparison.Ordinal) || path.Contains("//", StringComparison.Ordinal)))
            return path;
        if (_equivalents.TryGetValue(path, out var known)) return known;
        // Segments are copied into BUILT one by one ("/a/b"); ".." cuts the last one off once the kernel would agree.
        var built = System.Buffers.ArrayPool<char>.Shared.Rent(path.Length + 1);
        try
        {
            int length = 0;
            bool keep = false;
            for (int start = 1; start <= path.Length && !keep;)
            {
                int end = path.IndexOf('/', start);
                if (end < 0) end = path.Length;
                var part = path.AsSpan(start, end - start);
                start = end + 1;
                if (part.Length == 0 || part is ".") continue;
                if (part is not "..")
                {
                    built[length++] = '/';
                    part.CopyTo(built.AsSpan(length));
                    length += part.Length;
                    continue;
                }
                if (length == 0) continue; // "/.." is "/"
                if (!IsPlainDirectory(new string(built, 0, length))) { keep = true; break; }
                length = built.AsSpan(0, length).LastIndexOf('/');
            }
            // "a/." names a directory: keep a trailing slash meaningful by leaving such paths as they are.
            string result = keep || path.EndsWith('/') ? path : length == 0 ? "/" : new string(built, 0, length);
            return _equivalents[path] = result;
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(built);
        }
    }

    private bool IsPlainDirectory(string path)
    {
        if (!_plainDirectories.TryGetValue(path, out bool plain))
            _plainDirectories[path] = plain = NativeMethods.LinkStat(path) is { Type: FileStatType.Directory };
        return plain;
    }
}
