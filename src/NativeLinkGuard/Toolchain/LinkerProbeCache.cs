using System.Security.Cryptography;
using System.Text;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Toolchain;

/// <summary>
/// Keeps a linker's probed configuration across runs (the probe spawns the linker six times; a build checks links on
/// every run). One small file per linker binary, keyed by its real path, size, mtime and emulation, under
/// <c>$XDG_CACHE_HOME/nativelinkguard</c> (else <c>$HOME/.cache/nativelinkguard</c>). A changed binary gets a new key;
/// an unreadable or malformed entry is ignored and probed again.
/// </summary>
internal sealed class LinkerProbeCache(string file)
{
    public const string FromCacheNote = "linker configuration from the probe cache";
    private const string Magic = "nativelinkguard linker probe v1";

    public static LinkerProbeCache? For(string linker, string? emulation, IReadOnlyDictionary<string, string?> env)
    {
        try
        {
            string? root = env.TryGetValue("XDG_CACHE_HOME", out var x) && !string.IsNullOrEmpty(x) ? x
                : env.TryGetValue("HOME", out var h) && !string.IsNullOrEmpty(h) ? Path.Combine(h, ".cache") : null;
            if (root is null) return null;
            string real = NativeMethods.RealPath(linker) ?? linker;
            var info = new FileInfo(real);
            if (!info.Exists) return null;
            string key = $"{real}\n{info.Length}\n{info.LastWriteTimeUtc.Ticks}\n{emulation}";
            string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
            return new LinkerProbeCache(Path.Combine(root, "nativelinkguard", "linker-" + hash));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public LinkerInfo? Load()
    {
        try
        {
            if (!File.Exists(file)) return null;
            var lines = File.ReadAllLines(file);
            if (lines.Length < 10 || lines[0] != Magic) return null;
            var v = lines.Skip(1).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p[1]).ToList());
            string One(string k) => v.TryGetValue(k, out var l) && l.Count > 0 ? l[0] : throw new InvalidDataException(k);
            return new LinkerInfo(One("path"), One("version"), Enum.Parse<LinkerFlavor>(One("flavor")),
                v.TryGetValue("searchdir", out var dirs) ? dirs : [], One("sysroot"),
                Enum.Parse<ElfClass>(One("class")), Enum.Parse<ElfData>(One("data")), ushort.Parse(One("machine")),
                bool.Parse(One("native")), One("prefix"), [FromCacheNote], One("format") is { Length: > 0 } f ? f : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    public void Save(LinkerInfo info)
    {
        try
        {
            var sb = new StringBuilder().Append(Magic).Append('\n');
            void Put(string k, string? val) => sb.Append(k).Append('=').Append((val ?? "").Replace('\n', ' ')).Append('\n');
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
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            // Written aside and moved: a concurrent build never reads half a file.
            string tmp = file + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(tmp, sb.ToString());
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs time.
        }
    }
}
