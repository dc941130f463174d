namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// The directories of a project tree that hold shared libraries (any <c>*.so</c> or <c>*.so.*</c> entry), found by
/// one bounded breadth-first scan per root and run: libraries a build made or vendored somewhere else in the tree
/// (<c>third_party/x/lib</c>, <c>../deps</c>) are where users keep them, and no search path says so.
/// </summary>
public sealed class ProjectTreeIndex
{
    /// <summary>How deep below the root the scan goes.</summary>
    public const int MaxDepth = 6;
    /// <summary>Directory entries read per root at most: a home directory as working directory stays cheap.</summary>
    public const int MaxEntries = 20_000;

    // Version control, caches and dependency trees that are huge and never hold the build's libraries.
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        "node_modules", "__pycache__", "CMakeFiles", "proc", "sys", "dev",
    };

    private readonly Dictionary<string, IReadOnlyList<string>> _byRoot = new(StringComparer.Ordinal);

    /// <summary>
    /// Directories under <paramref name="root"/> (itself included) holding shared libraries, shallowest first.
    /// </summary>
    public IReadOnlyList<string> LibraryDirectories(string root)
    {
        root = root.Length > 1 ? root.TrimEnd('/') : root;
        lock (_byRoot)
        {
            if (_byRoot.TryGetValue(root, out var known)) return known;
            var found = Scan(root);
            _byRoot[root] = found;
            return found;
        }
    }

    private static List<string> Scan(string root)
    {
        var result = new List<string>();
        // The file system root or a system tree is not a project: its libraries are ld.so.cache's business.
        if (root == "/" || root is "/usr" or "/usr/lib" or "/lib" or "/usr/local") return result;
        var queue = new Queue<(string Dir, int Depth)>();
        queue.Enqueue((root, 0));
        int entries = 0;
        while (queue.Count > 0 && entries < MaxEntries)
        {
            var (dir, depth) = queue.Dequeue();
            bool holdsLibraries = false;
            try
            {
                foreach (var info in new DirectoryInfo(dir).EnumerateFileSystemInfos())
                {
                    if (++entries > MaxEntries) break;
                    string name = info.Name;
                    if (info is DirectoryInfo)
                    {
                        // Symlinked directories are not followed: a loop, or the whole system, may be behind one.
                        if (depth < MaxDepth && !name.StartsWith('.') && !Skipped.Contains(name)
                            && info.LinkTarget is null)
                        {
                            queue.Enqueue((info.FullName, depth + 1));
                        }
                    }
                    else if (!holdsLibraries && (name.EndsWith(".so", StringComparison.Ordinal)
                        || name.Contains(".so.", StringComparison.Ordinal)))
                    {
                        holdsLibraries = true;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException
                or System.Security.SecurityException)
            {
            }
            if (holdsLibraries) result.Add(dir);
        }
        return result;
    }

    /// <summary>
    /// The project a working directory belongs to: the nearest ancestor (up to 4 up) holding .git, else none.
    /// </summary>
    public static string? ProjectRoot(string workingDirectory)
    {
        string? dir = workingDirectory;
        for (int i = 0; i <= 4 && dir is not null; i++, dir = Path.GetDirectoryName(dir))
        {
            try { if (Path.Exists(Path.Combine(dir, ".git"))) return dir == "/" ? null : dir; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
        return null;
    }
}
