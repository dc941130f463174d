using System.Text;

namespace NativeLinkGuard;

/// <summary>
/// The files of the probe caches (<c>$XDG_CACHE_HOME/nativelinkguard</c>): named by a 64-bit FNV-1a hash of the key
/// (SHA-256 loaded OpenSSL into every run, a few milliseconds of a 10 ms check), with the full key stored inside
/// and compared on read, so a collision is a miss, never a wrong answer. One open per lookup; a missing, unreadable
/// or foreign file is a miss.
/// </summary>
public static class ProbeCacheFile
{
    /// <summary>The cache directory the environment names, or null without XDG_CACHE_HOME and HOME.</summary>
    public static string? Directory(IReadOnlyDictionary<string, string?> env)
    {
        string? root = env.TryGetValue("XDG_CACHE_HOME", out var x) && !string.IsNullOrEmpty(x) ? x
            : env.TryGetValue("HOME", out var h) && !string.IsNullOrEmpty(h) ? Path.Combine(h, ".cache") : null;
        return root is null ? null : Path.Combine(root, "nativelinkguard");
    }

    public static string Name(string prefix, string key) =>
        prefix + Fnv1a(key).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private static ulong Fnv1a(string key)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(key)) h = (h ^ b) * 1099511628211UL;
        return h;
    }

    // Keys hold paths, arguments and NULs: one escaped line.
    private static string Header(string magic, string key) =>
        magic + "\nkey " + key.Replace("\\", "\\\\").Replace("\n", "\\n")
            .Replace("\r", "\\r").Replace("\0", "\\0") + "\n";

    /// <summary>The "key=value" lines of a cache body: each key with its values in order.</summary>
    public static Dictionary<string, List<string>> Fields(IEnumerable<string> lines) =>
        lines.Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Select(p => p[1]).ToList());

    /// <summary>Appends one "key=value" line; a newline in the value (it would end the line) becomes a space.</summary>
    public static void Field(StringBuilder sb, string key, string? value) =>
        sb.Append(key).Append('=').Append((value ?? "").Replace('\n', ' ')).Append('\n');

    /// <summary>What was saved under KEY with MAGIC, or null.</summary>
    public static string? Read(string file, string magic, string key)
    {
        try
        {
            // Bounded and never blocking: a FIFO or a huge file at a cache path is a miss, not a hang.
            string text = BoundedText.Read(file, 1 << 20);
            string header = Header(magic, key);
            return text.StartsWith(header, StringComparison.Ordinal) ? text[header.Length..] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public static void Write(string file, string magic, string key, string body)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            // Written aside and moved: a concurrent build never reads half a file.
            string tmp = file + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(tmp, Header(magic, key) + body);
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A cache that cannot be written only costs the next run a probe.
        }
    }
}
