namespace NativeLinkGuard.Symbols;

/// <summary>
/// The text of a build's own code before it is compiled: what the program's objects (and the libraries the build has
/// not made yet) could possibly define. A name that appears in no file of the source tree cannot be defined by code
/// compiled from it; a build that generates sources at build time cannot be judged this way. Read only when asked,
/// once per run, bounded; whether the build generates code is asked then too.
/// </summary>
public sealed class BuildSourceText(string sourceDirectory, Func<string?> generatedSources)
{
    private const int MaxFiles = 50_000;
    private const long MaxBytes = 512L << 20;
    private const long MaxFileBytes = 16L << 20;
    private static readonly HashSet<string> s_skipped =
        new(StringComparer.Ordinal) { ".git", ".hg", ".svn", "node_modules" };

    private List<string>? _files;
    private string? _unknowable;

    public string SourceDirectory => sourceDirectory;

    /// <summary>Why the source text cannot settle what the build defines
    /// (generated sources, too large a tree); null when it can.</summary>
    public string? Unknowable
    {
        get
        {
            Files();
            return _unknowable;
        }
    }

    /// <summary>The names (C identifiers) that appear as a whole word in some file of the source tree.</summary>
    public IReadOnlySet<string> Mentioned(IReadOnlyCollection<string> names)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (names.Count == 0) return found;
        foreach (var file in Files())
        {
            string text;
            try { text = File.ReadAllText(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var n in names)
                if (!found.Contains(n) && ContainsWord(text, n)) found.Add(n);
            if (found.Count == names.Count) break;
        }
        return found;
    }

    private static bool ContainsWord(string text, string word)
    {
        for (int i = text.IndexOf(word, StringComparison.Ordinal); i >= 0;
            i = text.IndexOf(word, i + 1, StringComparison.Ordinal))
        {
            bool before = i > 0 && IsIdentifier(text[i - 1]);
            bool after = i + word.Length < text.Length && IsIdentifier(text[i + word.Length]);
            if (!before && !after) return true;
        }
        return false;
    }

    private static bool IsIdentifier(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$';

    private List<string> Files()
    {
        if (_files is not null) return _files;
        _files = [];
        // Asked only when a link needs the rule: most builds never read their generator files for it.
        _unknowable = generatedSources();
        long bytes = 0;
        var pending = new Stack<string>();
        pending.Push(sourceDirectory);
        while (pending.Count > 0 && _unknowable is null)
        {
            string dir = pending.Pop();
            try
            {
                foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
                {
                    if (entry.LinkTarget is not null) continue; // a link can lead out of the tree or into a loop
                    if (entry is DirectoryInfo d)
                    {
                        // A build tree inside the source tree holds no code of the project's own.
                        if (!s_skipped.Contains(d.Name) && !File.Exists(Path.Combine(d.FullName, "CMakeCache.txt")))
                            pending.Push(d.FullName);
                        continue;
                    }
                    if (entry is not FileInfo f || f.Length > MaxFileBytes) continue;
                    bytes += f.Length;
                    _files.Add(f.FullName);
                    if (_files.Count > MaxFiles || bytes > MaxBytes)
                        _unknowable =
                            $"the source tree {sourceDirectory} is larger than {MaxFiles} files or {MaxBytes >> 20} MB";
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _unknowable = $"{dir} cannot be read ({e.Message})";
            }
        }
        return _files;
    }
}
