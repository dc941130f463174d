using System.Security.Cryptography;
using System.Text;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Keeps the probed ld.so settings across runs (the probe starts ld.so twice, which costs more than checking a few
/// hundred libraries). One small file per loader binary, keyed by its real path, size and mtime, next to the linker
/// probe cache; an unreadable or malformed entry is ignored and probed again.
/// </summary>
internal sealed class LoaderProbeCache(string file)
{
    private const string Magic = "nativelinkguard loader probe v1";

    public static LoaderProbeCache? For(string rtld, string? cacheDirectory)
    {
        if (string.IsNullOrEmpty(cacheDirectory)) return null;
        try
        {
            string real = NativeMethods.RealPath(rtld) ?? rtld;
            var info = new FileInfo(real);
            if (!info.Exists) return null;
            string key = $"{real}\n{info.Length}\n{info.LastWriteTimeUtc.Ticks}";
            string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
            return new LoaderProbeCache(Path.Combine(cacheDirectory, "loader-" + hash));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public LoaderEnvironment? Load(LoaderEnvironment template)
    {
        try
        {
            if (!File.Exists(file)) return null;
            var lines = File.ReadAllLines(file);
            if (lines.Length < 4 || lines[0] != Magic) return null;
            var v = lines.Skip(1).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p[1]).ToList());
            List<string> Many(string k) => v.TryGetValue(k, out var l) ? l : [];
            string One(string k) => Many(k) is { Count: > 0 } l ? l[0] : throw new InvalidDataException(k);
            var dirs = Many("systemdir");
            var subdirs = Many("subdir");
            if (dirs.Count == 0 || subdirs.Count == 0) return null;
            return template with
            {
                SystemDirectories = dirs,
                Subdirectories = subdirs,
                DstLib = One("dstlib"),
                Platform = One("platform"),
                RtldPath = One("rtld"),
                Notes = [.. template.Notes, "ld.so settings from the probe cache"],
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            return null;
        }
    }

    public void Save(LoaderEnvironment env)
    {
        try
        {
            var sb = new StringBuilder().Append(Magic).Append('\n');
            void Put(string k, string? val) => sb.Append(k).Append('=').Append((val ?? "").Replace('\n', ' ')).Append('\n');
            foreach (var d in env.SystemDirectories) Put("systemdir", d);
            foreach (var s in env.Subdirectories) Put("subdir", s);
            Put("dstlib", env.DstLib);
            Put("platform", env.Platform);
            Put("rtld", env.RtldPath);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            string tmp = file + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(tmp, sb.ToString());
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs the next run a probe.
        }
    }
}
