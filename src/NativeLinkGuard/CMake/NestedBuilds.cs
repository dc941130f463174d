namespace NativeLinkGuard.CMake;

/// <summary>
/// The CMake builds configured inside a build tree (ExternalProject, super-builds): each has its own build directory
/// with a CMakeCache.txt. Found the same way for every front end: depth-first in name order, at most six levels
/// down, not into CMake's own directories nor through symbolic links (which may lead out of the tree or round it).
/// </summary>
public static class NestedBuilds
{
    private const int MaxDepth = 6;

    public static IReadOnlyList<string> Directories(string buildDirectory)
    {
        var found = new List<string>();
        Walk(buildDirectory, 0, found);
        return found;
    }

    private static void Walk(string dir, int depth, List<string> found)
    {
        if (depth > MaxDepth) return;
        List<string> subs;
        try { subs = Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var d in subs)
        {
            string name = Path.GetFileName(d);
            if (name is "CMakeFiles" or ".cmake" || new DirectoryInfo(d).LinkTarget is not null) continue;
            if (File.Exists(Path.Combine(d, "CMakeCache.txt"))) found.Add(d);
            Walk(d, depth + 1, found);
        }
    }
}
