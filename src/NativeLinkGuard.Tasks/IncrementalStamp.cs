using System.Security.Cryptography;
using System.Text;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// Makes a no-change rebuild skip the check without hiding anything: a stamp next to the report records a hash of
/// every setting (items, metadata, environment, options) and the mtime of every file and directory the last check
/// depended on — a library appearing in a searched directory changes that directory's mtime. When all match, the
/// findings are replayed from the report instead of recomputed.
/// </summary>
internal static class IncrementalStamp
{
    public static string SettingsHash(IEnumerable<string> parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts) sb.Append(p.Length).Append(':').Append(p).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    public static void Write(string stampPath, string settingsHash, IReadOnlyList<string> dependencies)
    {
        var sb = new StringBuilder();
        sb.Append("settings ").Append(settingsHash).Append('\n');
        foreach (var d in dependencies) sb.Append(Stamp(d)).Append(' ').Append(d).Append('\n');
        File.WriteAllText(stampPath, sb.ToString());
    }

    public static bool IsUpToDate(string stampPath, string reportPath, string settingsHash)
    {
        try
        {
            if (!File.Exists(stampPath) || !File.Exists(reportPath)) return false;
            using var reader = new StreamReader(stampPath);
            if (reader.ReadLine() != "settings " + settingsHash) return false;
            while (reader.ReadLine() is { } line)
            {
                int space = line.IndexOf(' ');
                if (space < 0 || !long.TryParse(line.AsSpan(0, space), out long recorded)) return false;
                if (Stamp(line[(space + 1)..]) != recorded) return false;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static void Delete(string stampPath)
    {
        try { File.Delete(stampPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>mtime ticks of a file or directory, -1 when absent.</summary>
    private static long Stamp(string path)
    {
        if (File.Exists(path)) return File.GetLastWriteTimeUtc(path).Ticks;
        if (Directory.Exists(path)) return Directory.GetLastWriteTimeUtc(path).Ticks;
        return -1;
    }
}
