using System.Text;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Toolchain;

/// <summary>
/// Keeps a linker's probed configuration across runs (the probe spawns the linker six times; a build checks links on
/// every run). One small file per linker binary, keyed by its path, identity (device, inode, size, mtime in ns) and
/// emulation, under <c>$XDG_CACHE_HOME/nativelinkguard</c> (else <c>$HOME/.cache/nativelinkguard</c>). A changed binary
/// gets a new key; an unreadable or malformed entry is ignored and probed again.
/// </summary>
internal sealed class LinkerProbeCache(string file, string key)
{
    public const string FromCacheNote = "linker configuration from the probe cache";
    private const string Magic = "nativelinkguard linker probe v2";

    public static LinkerProbeCache? For(string linker, string? emulation, IReadOnlyDictionary<string, string?> env)
    {
        if (ProbeCacheFile.Directory(env) is not { } dir || NativeMethods.IdentityKey(linker) is not { } id)
            return null;
        // The path as run and the binary's identity: a replaced or rebuilt linker gets a new key.
        string key = $"{linker}\0{id}\0{emulation}";
        return new LinkerProbeCache(Path.Combine(dir, ProbeCacheFile.Name("linker-", key)), key);
    }

    public LinkerInfo? Load()
    {
        try
        {
            if (ProbeCacheFile.Read(file, Magic, key) is not { } body) return null;
            var lines = body.Split('\n');
            if (lines.Length < 9) return null;
            var v = ProbeCacheFile.Fields(lines);
            string One(string k) => v.TryGetValue(k, out var l) && l.Count > 0 ? l[0]
                : throw new InvalidDataException(k);
            return new LinkerInfo(One("path"), One("version"), Enum.Parse<LinkerFlavor>(One("flavor")),
                v.TryGetValue("searchdir", out var dirs) ? dirs : [], One("sysroot"),
                Enum.Parse<ElfClass>(One("class")), Enum.Parse<ElfData>(One("data")), ushort.Parse(One("machine")),
                bool.Parse(One("native")), One("prefix"), [FromCacheNote],
                    One("format") is { Length: > 0 } f ? f : null);
        }
        catch (Exception e)
            when (e is InvalidDataException or FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    public void Save(LinkerInfo info)
    {
        var sb = new StringBuilder();
        void Put(string k, string? val) => ProbeCacheFile.Field(sb, k, val);
        Put("path", info.Path);
        Put("version", info.Version);
        Put("flavor", info.Flavor.ToString());
        foreach (var d in info.SearchDirs) Put("searchdir", d);
        Put("sysroot", info.DefaultSysroot);
        Put("class", info.TargetClass.ToString());
        Put("data", info.TargetData.ToString());
        Put("machine", info.TargetMachine.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Put("native", info.IsNative.ToString());
        Put("prefix", info.Prefix);
        Put("format", info.OutputFormat);
        ProbeCacheFile.Write(file, Magic, key, sb.ToString());
    }
}
