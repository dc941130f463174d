namespace NativeLinkGuard.Toolchain;

public sealed record LdSoConfResult(IReadOnlyList<string> Directories, IReadOnlyList<string> Diagnostics, IReadOnlyList<string> FilesRead);

/// <summary>
/// ld's own reading of ld.so.conf for the DT_NEEDED search (ldelf_parse_ld_so_conf): listed directories get the
/// sysroot; <c>include</c> patterns are globbed, relative ones against the including file's directory, absolute ones
/// read as written (not sysroot-prefixed). Comments, trailing '/' and <c>=hwcap</c> suffixes are dropped.
/// </summary>
public static class LdSoConfReader
{
    private const int MaxFiles = 256;
    private const int MaxDepth = 16;
    private const long MaxFileBytes = 1 << 20;

    public static LdSoConfResult Read(string confPath, string sysroot)
    {
        var dirs = new List<string>();
        var diags = new List<string>();
        var read = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        ReadFile(confPath, sysroot, 0, dirs, diags, read, visited);
        return new LdSoConfResult(dirs, diags, read);
    }

    private static void ReadFile(string path, string sysroot, int depth, List<string> dirs, List<string> diags, List<string> read, HashSet<string> visited)
    {
        if (depth > MaxDepth) { diags.Add($"{path}: includes nested more than {MaxDepth} deep"); return; }
        if (!visited.Add(Path.GetFullPath(path))) { diags.Add($"{path}: included again (include loop); skipped"); return; }
        if (read.Count >= MaxFiles) { diags.Add($"{path}: more than {MaxFiles} files included; stopped"); return; }
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes) { diags.Add($"{path}: larger than {MaxFileBytes} bytes; skipped"); return; }
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diags.Add($"{path}: {e.Message}");
            return;
        }
        read.Add(path);
        string baseDir = Path.GetDirectoryName(path) ?? "/";
        foreach (var rawLine in text.Split('\n'))
        {
            string line = rawLine;
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            var words = line.Split([' ', '\t', '\r', ',', ':'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            if (words[0] == "include")
            {
                foreach (var pattern in words.Skip(1))
                {
                    string full = pattern.StartsWith('/') ? pattern : Path.Combine(baseDir, pattern);
                    foreach (var f in Glob(full)) ReadFile(f, sysroot, depth + 1, dirs, diags, read, visited);
                }
                continue;
            }
            if (words[0] == "hwcap") continue;
            foreach (var w in words)
            {
                string d = w;
                int eq = d.IndexOf('=');
                if (eq >= 0) d = d[..eq];
                if (d.Length > 1) d = d.TrimEnd('/');
                if (d.Length == 0 || !d.StartsWith('/')) continue;
                dirs.Add(sysroot + d);
            }
        }
    }

    /// <summary>glob(3) for a pattern whose wildcards are in the last component (the only form ld.so.conf uses), sorted.</summary>
    public static IEnumerable<string> Glob(string pattern)
    {
        string dir = Path.GetDirectoryName(pattern) ?? "/";
        string name = Path.GetFileName(pattern);
        if (name.IndexOfAny(['*', '?', '[']) < 0)
            return File.Exists(pattern) ? [pattern] : [];
        try
        {
            if (!Directory.Exists(dir)) return [];
            var files = Directory.GetFiles(dir).Where(f => GlobMatch(name, Path.GetFileName(f))).ToArray();
            Array.Sort(files, StringComparer.Ordinal);
            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    internal static bool GlobMatch(string pattern, string name)
    {
        int p = 0, n = 0, starP = -1, starN = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*') { starP = p++; starN = n; continue; }
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n])) { p++; n++; continue; }
            if (p < pattern.Length && pattern[p] == '[')
            {
                int close = pattern.IndexOf(']', p + 1);
                if (close > p && pattern[(p + 1)..close].Contains(name[n])) { p = close + 1; n++; continue; }
            }
            if (starP >= 0) { p = starP + 1; n = ++starN; continue; }
            return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length && (name.Length == 0 || name[0] != '.' || pattern.StartsWith('.'));
    }
}
