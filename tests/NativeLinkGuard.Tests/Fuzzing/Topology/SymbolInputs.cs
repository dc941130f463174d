using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// Symbol-level features of a world (a fraction of worlds), drawn from their own random stream so the rest of a
/// world is what it was without them:
/// <list type="bullet">
/// <item>symbol versions: library i is linked with a version script whose <c>VERS_2</c> node (child of
/// <c>VERS_1</c>) holds fn_i, so the libraries linked against it need <c>fn_i@VERS_2</c>; then an older build
/// (fn_i in <c>VERS_1</c> only, same SONAME) replaces it or sits under the same name in another directory, where
/// the link may find it first: ld's "undefined reference to `fn_i@VERS_2'";</item>
/// <item>undefined symbols: a library also holds <c>nowhere.o</c>, which calls <c>nlg_nowhere</c> that nothing
/// defines; the program may hold it too.</item>
/// </list>
/// Links then draw <c>--allow-shlib-undefined</c>, <c>--no-allow-shlib-undefined</c>, <c>--no-undefined</c>,
/// <c>-z defs</c> and a <c>-shared</c> output. A symbol only in an indirect dependency ("DSO missing from command
/// line") is <see cref="LinkCase"/>'s own.
/// </summary>
internal sealed class SymbolInputs
{
    private readonly Random _rng;
    private readonly Dictionary<int, List<string>> _versioned = [];
    private readonly HashSet<int> _withUndefined = [];

    private SymbolInputs(Random rng) => _rng = rng;

    /// <summary>Symbol features for about a third of the worlds.</summary>
    public static SymbolInputs? Draw(int seed)
    {
        var rng = new Random(seed * 37 + 11);
        return rng.NextDouble() < 0.35 ? new SymbolInputs(rng) : null;
    }

    /// <summary>
    /// Extra arguments for building library <paramref name="lib"/>: a version script, the undefined reference. The
    /// arguments are kept so that <see cref="Downgrade"/> can link the older build the same way.
    /// </summary>
    public IEnumerable<string> BuildArguments(World world, World.Library lib, List<string> args)
    {
        var extra = new List<string>();
        if (_rng.NextDouble() < 0.2)
        {
            _withUndefined.Add(lib.Index);
            extra.Add(Nowhere(world.Flavour));
        }
        if (_rng.NextDouble() < 0.45)
        {
            string map = $"v{lib.Index}.map";
            WriteMap(world, map, $"VERS_1 {{ local: *; }}; VERS_2 {{ global: fn{lib.Index}; }} VERS_1;");
            extra.Add($"-Wl,--version-script,{map}");
            _versioned[lib.Index] = [.. args, .. extra];
        }
        return extra;
    }

    /// <summary>
    /// Before damage: some versioned libraries get an older build (fn_i in VERS_1 only), in place or under the same
    /// name in another directory.
    /// </summary>
    public void Downgrade(World world)
    {
        foreach (var (index, args) in _versioned)
        {
            if (_rng.NextDouble() >= 0.75) continue;
            var lib = world.Libraries[index];
            string map = $"v{index}old.map";
            WriteMap(world, map, $"VERS_1 {{ global: fn{index}; local: *; }};");
            var dirs = World.Dirs.Where(d => d != lib.Dir).ToList();
            string dir = _rng.NextDouble() < 0.5 ? lib.Dir : dirs[_rng.Next(dirs.Count)];
            var old = args.Select(a => a == $"-Wl,--version-script,v{index}.map" ? $"-Wl,--version-script,{map}" : a).ToList();
            old[old.IndexOf(lib.RelPath)] = $"{dir}/{lib.File}";
            world.Run(world.Flavour.Compiler(), old);
        }
    }

    /// <summary>The symbol flags of one link, and the program's own undefined reference.</summary>
    public IEnumerable<string> Flags(World world, Random rng)
    {
        if (rng.NextDouble() < 0.1) yield return Nowhere(world.Flavour);
        if (rng.NextDouble() < 0.15) yield return "-shared";
        string[] flags = ["-Wl,--allow-shlib-undefined", "-Wl,--no-allow-shlib-undefined", "-Wl,--no-undefined", "-Wl,-z,defs"];
        foreach (var f in flags.Where(_ => rng.NextDouble() < 0.15)) yield return f;
    }

    private static void WriteMap(World world, string map, string text) =>
        world.Do($"echo '{text}' > {map}", () => File.WriteAllText(world.P(map), text + "\n"));

    private static readonly Dictionary<LinkerFlavour, Lazy<string>> s_nowhere = Enum.GetValues<LinkerFlavour>()
        .ToDictionary(f => f, f => new Lazy<string>(() => CompileNowhere(f), LazyThreadSafetyMode.ExecutionAndPublication));

    /// <summary>nowhere.o of the flavour's architecture: use_nowhere calls nlg_nowhere, which nothing defines.</summary>
    private static string Nowhere(LinkerFlavour flavour) => s_nowhere[flavour].Value;

    private static string CompileNowhere(LinkerFlavour flavour)
    {
        string dir = Path.Combine(ObjectPool.Shared.Dir, "sym-" + flavour.Name());
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nowhere.c"), "int nlg_nowhere(void);\nint use_nowhere(void){return nlg_nowhere();}\n");
        var r = ProcessRunner.Run(flavour.Compiler(), ["-c", "-fPIC", "nowhere.c"], null, dir, timeoutMs: 120_000);
        if (r.ExitCode != 0) throw new InvalidOperationException($"compiling nowhere.c failed:\n{r.StandardError}");
        return Path.Combine(dir, "nowhere.o");
    }
}
