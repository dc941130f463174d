namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// A world laid out under a sysroot S (a fraction of worlds): S is the world's root (every library inside it) or
/// its <c>c</c> directory (<c>c/lib</c> is S's <c>/lib</c>, the other directories are outside). Some DT_RUNPATH and
/// DT_RPATH elements are spelled as S-absolute paths (<c>/a</c>, <c>/lib</c>, <c>/usr/lib</c>), which ld prefixes
/// with S; copies of some libraries sit in S's <c>/usr/lib</c> (a default search directory, and one gcc passes as
/// <c>-L</c>) and S's <c>etc/ld.so.conf</c> may list a directory. Links then draw <c>--sysroot</c> (gcc's or ld's
/// own), <c>-L=DIR</c>, <c>-L$SYSROOT/DIR</c>, S-absolute <c>-rpath</c> and host-path <c>-rpath-link</c>; the plain
/// <c>-L</c> of <see cref="LinkCase"/> lands inside and outside S. Which of them ld prefixes is left to the real ld.
/// Drawn from its own random stream, so the rest of a world (and of a case) is what it was without it.
/// </summary>
internal sealed class SysrootInputs
{
    private readonly Random _rng;

    /// <summary>S relative to the world's root: "" (the root itself) or "c".</summary>
    public string Rel { get; }

    private SysrootInputs(Random rng, string rel)
    {
        _rng = rng;
        Rel = rel;
    }

    /// <summary>A sysroot for about a third of the worlds.</summary>
    public static SysrootInputs? Draw(int seed)
    {
        var rng = new Random(seed * 31 + 5);
        return rng.NextDouble() < 0.35 ? new SysrootInputs(rng, rng.NextDouble() < 0.5 ? "" : "c") : null;
    }

    public string Dir(World world) => Rel.Length == 0 ? world.Root : world.P(Rel);

    /// <summary>A world directory as S-absolute ("/c/lib", or "/lib" when S is c), or null when it is outside S.</summary>
    public string? Inside(string worldDir) =>
        Rel.Length == 0 ? "/" + worldDir : worldDir.StartsWith(Rel + "/", StringComparison.Ordinal) ? worldDir[Rel.Length..] : null;

    /// <summary>Sometimes replaces a run path element by the dependency's directory spelled S-absolute.</summary>
    public string RunPathElement(string element, string depDir) => _rng.Next(5) switch
    {
        0 or 1 => Inside(depDir) ?? "/" + depDir,
        2 => "/usr/lib",
        _ => element,
    };

    /// <summary>After the world is built and damaged: copies into S/usr/lib, sometimes an ld.so.conf in S.</summary>
    public void Populate(World world)
    {
        string usrLib = Path.Combine(Rel, "usr/lib");
        world.Do($"mkdir -p {usrLib}", () => Directory.CreateDirectory(world.P(usrLib)));
        // Regular files only: damage may have left a dangling symlink.
        foreach (var lib in world.Libraries.Where(l => _rng.NextDouble() < 0.3 && IsRegularFile(world.P(l.RelPath))))
            world.Do($"cp {lib.RelPath} {usrLib}/", () => File.Copy(world.P(lib.RelPath), world.P($"{usrLib}/{lib.File}"), true));
        if (_rng.NextDouble() >= 0.25) return;
        string dir = Inside(World.Dirs[_rng.Next(World.Dirs.Length)]) ?? "/usr/lib";
        string etc = Path.Combine(Rel, "etc");
        world.Do($"mkdir -p {etc} && echo {dir} > {etc}/ld.so.conf", () =>
        {
            Directory.CreateDirectory(world.P(etc));
            File.WriteAllText(world.P($"{etc}/ld.so.conf"), dir + "\n");
        });
    }

    private static bool IsRegularFile(string path) => File.Exists(path) && new FileInfo(path).LinkTarget is null;

    /// <summary>The sysroot flags of one link (most links of a sysroot world have them).</summary>
    public IEnumerable<string> Flags(World world, Random rng)
    {
        if (rng.NextDouble() < 0.2) yield break;
        string s = Dir(world);
        yield return rng.NextDouble() < 0.75 ? "--sysroot=" + s : "-Wl,--sysroot=" + s;
        if (rng.NextDouble() < 0.4) yield return "-L=/usr/lib";
        foreach (var d in World.Dirs.Where(_ => rng.NextDouble() < 0.2))
            yield return (rng.NextDouble() < 0.6 ? "-L=" : "-L$SYSROOT") + (Inside(d) ?? "/" + d);
        if (rng.NextDouble() < 0.2) yield return "-Wl,-rpath," + (Inside(World.Dirs[rng.Next(World.Dirs.Length)]) ?? "/usr/lib");
        if (rng.NextDouble() < 0.15) yield return "-Wl,-rpath-link," + world.P(Path.Combine(Rel, "usr/lib"));
    }
}
