using System.Text;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Keeps the probed ld.so settings across runs (the probe starts ld.so twice, which costs more than checking a few
/// hundred libraries). One small file per loader binary, keyed by its path and identity (device, inode, size, mtime in
/// ns), next to the linker
/// probe cache; an unreadable or malformed entry is ignored and probed again.
/// </summary>
internal sealed class LoaderProbeCache(string file, string key)
{
    private const string Magic = "nativelinkguard loader probe v2";

    public static LoaderProbeCache? For(string rtld, string? cacheDirectory)
    {
        if (string.IsNullOrEmpty(cacheDirectory) || NativeMethods.IdentityKey(rtld) is not { } id) return null;
        string key = $"{rtld}\0{id}";
        return new LoaderProbeCache(Path.Combine(cacheDirectory, ProbeCacheFile.Name("loader-", key)), key);
    }

    public LoaderEnvironment? Load(LoaderEnvironment template)
    {
        try
        {
            if (ProbeCacheFile.Read(file, Magic, key) is not { } body) return null;
            var lines = body.Split('\n');
            if (lines.Length < 3) return null;
            var v = ProbeCacheFile.Fields(lines);
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
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            return null;
        }
    }

    public void Save(LoaderEnvironment env)
    {
        var sb = new StringBuilder();
        void Put(string k, string? val) => ProbeCacheFile.Field(sb, k, val);
        foreach (var d in env.SystemDirectories) Put("systemdir", d);
        foreach (var s in env.Subdirectories) Put("subdir", s);
        Put("dstlib", env.DstLib);
        Put("platform", env.Platform);
        Put("rtld", env.RtldPath);
        ProbeCacheFile.Write(file, Magic, key, sb.ToString());
    }
}
