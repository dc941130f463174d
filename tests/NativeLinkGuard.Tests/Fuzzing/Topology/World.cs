using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// One random world on disk, built from a seed: libraries in several directories, with or without SONAME and
/// development symlink, a DT_NEEDED DAG whose entries are spelled the way each dependency was linked (SONAME, file
/// name, relative or absolute path), DT_RUNPATH/DT_RPATH (absolute, $ORIGIN-relative, stale; new and old dtags),
/// then damage (deleted, moved, dangling symlink, non-ELF, wrong class). <see cref="Script"/> replays it in a shell.
/// Extended (link) worlds may also have a sysroot (<see cref="SysrootInputs"/>) and symbol versions and undefined
/// symbols (<see cref="SymbolInputs"/>).
/// </summary>
internal sealed class World : IDisposable
{
    public static readonly string[] Dirs = ["a", "b", "c/lib", "d"];
    public const string Gone = "gone"; // a directory that never exists: stale run paths and -L

    public string Root { get; }
    public List<Library> Libraries { get; } = [];
    public List<string> Script { get; } = [];
    public Dictionary<string, string?> BaseEnvironment { get; }
    public LinkerFlavour Flavour { get; }
    public SysrootInputs? Sysroot { get; }
    public SymbolInputs? Symbols { get; }
    public int Seed { get; }

    /// <summary>Archives and linker scripts, built when the first link is drawn (<see cref="LinkExtras"/>).</summary>
    public LinkExtras Extras => _extras ??= new LinkExtras(this, new Random(Seed * 7919 + 3));
    private LinkExtras? _extras;

    public sealed record Library(int Index, string Dir, bool HasSoname, bool DevLink, int[] Deps)
    {
        public string File => HasSoname ? $"libL{Index}.so.1" : $"libL{Index}.so";
        public string RelPath => $"{Dir}/{File}";
        /// <summary>Whether -lL{i} can find it by name (a file named libLi.so).</summary>
        public bool LinkableByName => !HasSoname || DevLink;
    }

    // extended: whether the world may have a sysroot and symbol features (link cases only).
    public World(int seed, Dictionary<string, string?> environment, LinkerFlavour flavour, bool extended = false)
    {
        BaseEnvironment = environment;
        Flavour = flavour;
        Seed = seed;
        Root = Path.Combine(Path.GetTempPath(), $"nlg-topo-{seed}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(Root);
        foreach (var d in Dirs) Directory.CreateDirectory(P(d));
        Script.Add($"# world seed {seed} ({flavour.Name()}); objects from {ObjectPool.Shared.Dir} (def*.c, ref*.c, main.c compiled with {flavour.Compiler()} -c -fPIC)");
        Script.Add($"mkdir -p {string.Join(' ', Dirs)} && P={ObjectPool.Shared.Dir}");
        var rng = new Random(seed);
        Sysroot = extended ? SysrootInputs.Draw(seed) : null;
        Symbols = extended ? SymbolInputs.Draw(seed) : null;
        int n = rng.Next(2, ObjectPool.MaxLibraries + 1);
        for (int i = 0; i < n; i++) Build(rng, i);
        Symbols?.Downgrade(this);
        Damage(rng);
        Sysroot?.Populate(this);
    }

    public string P(string relative) => Path.Combine(Root, relative);

    private void Build(Random rng, int i)
    {
        var deps = Enumerable.Range(0, i).Where(_ => rng.NextDouble() < 0.45).ToArray();
        var lib = new Library(i, Dirs[rng.Next(Dirs.Length)], rng.NextDouble() < 0.7, rng.NextDouble() < 0.6, deps);
        var args = new List<string> { "-shared", "-fPIC", "-o", lib.RelPath };
        if (lib.HasSoname) args.Add($"-Wl,-soname,{lib.File}");
        args.Add(ObjectPool.Shared.Object($"def{i}.o", Flavour));
        args.AddRange(deps.Select(j => ObjectPool.Shared.Object($"ref{j}.o", Flavour)));
        if (deps.Length > 0) args.Add("-Wl,--no-as-needed");
        foreach (var j in deps) args.AddRange(DependencySpelling(rng, Libraries[j]));
        if (deps.Length > 0 && rng.NextDouble() < 0.5)
        {
            var elements = Enumerable.Range(0, rng.Next(1, 3)).Select(_ => RunPathElement(rng, lib, Libraries[deps[rng.Next(deps.Length)]])).Distinct();
            args.Add($"-Wl,{(rng.NextDouble() < 0.5 ? "--enable-new-dtags" : "--disable-new-dtags")},-rpath,{string.Join(':', elements)}");
        }
        if (Symbols is not null) args.AddRange(Symbols.BuildArguments(this, lib, args));
        Run(Flavour.Compiler(), args);
        if (lib.HasSoname && lib.DevLink) Symlink(lib.File, $"{lib.Dir}/libL{i}.so");
        Libraries.Add(lib);
    }

    /// <summary>How the dependency is named when the library is linked: what gcc records as DT_NEEDED without a SONAME.</summary>
    private IEnumerable<string> DependencySpelling(Random rng, Library dep)
    {
        int choice = rng.Next(4);
        if (choice == 0 && dep.LinkableByName) return [$"-L{dep.Dir}", $"-lL{dep.Index}"];
        if (choice == 1) return [$"-L{dep.Dir}", $"-l:{dep.File}"];
        if (choice == 2) return [P(dep.RelPath)];
        return [dep.RelPath];
    }

    private string RunPathElement(Random rng, Library lib, Library dep)
    {
        string element = rng.Next(5) switch
        {
            0 or 1 => P(dep.Dir),
            2 => "$ORIGIN/" + Path.GetRelativePath(P(lib.Dir), P(dep.Dir)),
            3 => P(Gone),
            _ => "$ORIGIN",
        };
        return Sysroot?.RunPathElement(element, dep.Dir) ?? element;
    }

    private void Damage(Random rng)
    {
        if (rng.NextDouble() >= 0.4) return;
        for (int k = rng.Next(1, 3); k > 0; k--) DamageOne(rng);
    }

    /// <summary>One random damage to one library: deleted, moved, a dangling link, not ELF, another class, no development link.</summary>
    public void DamageOne(Random rng)
    {
        var lib = Libraries[rng.Next(Libraries.Count)];
        string path = lib.RelPath;
        if (!File.Exists(P(path)) || new FileInfo(P(path)).LinkTarget is not null) return;
        switch (rng.Next(6))
        {
            case 0: Do($"rm {path}", () => File.Delete(P(path))); break;
            case 1:
                string to = Dirs[rng.Next(Dirs.Length)];
                if (to != lib.Dir) Do($"mv {path} {to}/", () => File.Move(P(path), P($"{to}/{lib.File}"), true));
                break;
            case 2: Do($"rm {path} && ln -s nowhere/{lib.File} {path}", () => { File.Delete(P(path)); File.CreateSymbolicLink(P(path), $"nowhere/{lib.File}"); }); break;
            case 3: Do($"echo 'not a library' > {path}", () => File.WriteAllText(P(path), "not a library\n")); break;
            case 4 when ObjectPool.Shared.WrongClassLibrary(lib.Index, Flavour) is { } other:
                Do($"cp {other.Replace(ObjectPool.Shared.Dir, "$P")} {path}", () => File.Copy(other, P(path), true));
                break;
            default:
                string dev = $"{lib.Dir}/libL{lib.Index}.so";
                if (lib.HasSoname && File.Exists(P(dev))) Do($"rm {dev}", () => File.Delete(P(dev)));
                break;
        }
    }

    public void Do(string shell, Action action)
    {
        Script.Add(shell);
        action();
    }

    private void Symlink(string target, string link) => Do($"ln -s {target} {link}", () => File.CreateSymbolicLink(P(link), target));

    public void Run(string tool, List<string> args)
    {
        Script.Add(tool + " " + string.Join(' ', args.Select(Quote)).Replace(ObjectPool.Shared.Dir, "$P"));
        var r = ProcessRunner.Run(tool, args, BaseEnvironment, Root, timeoutMs: 60_000);
        if (r.ExitCode != 0) throw new InvalidOperationException($"building the world failed:\n{string.Join('\n', Script)}\n{r.StandardError}");
    }

    public static string Quote(string a) => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
