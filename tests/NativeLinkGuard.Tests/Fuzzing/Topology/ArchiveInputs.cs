namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// Static archives of a random world (issue 16, item 1), made with <c>ar rcs</c>: for some libraries i a libLi.a in
/// the library's directory or another one. Its members, in random order: Li.o (defines fn_i and calls fn_j of each
/// dependency j: an archive of objects that need shared libraries), Xk.o (defines another library's fn_k), Ui.o
/// (defines aux_i and calls nowhere_i, which nothing defines: harmless unless extracted, and nothing asks for it).
/// Some archives lack Li.o: -lLi then finds an archive that does not define what the program needs.
/// </summary>
internal sealed class ArchiveInputs
{
    public sealed record Archive(int Index, string Dir, bool DefinesOwn)
    {
        public string File => $"libL{Index}.a";
        public string RelPath => $"{Dir}/{File}";
    }

    public List<Archive> Archives { get; } = [];

    public Archive? Of(int library) => Archives.FirstOrDefault(a => a.Index == library);

    public ArchiveInputs(World world, Random rng)
    {
        var sources = new List<string>();
        var plans = new List<(Archive Archive, List<string> Members)>();
        foreach (var lib in world.Libraries)
        {
            if (rng.NextDouble() >= 0.55) continue;
            var a = new Archive(lib.Index, rng.NextDouble() < 0.6 ? lib.Dir : World.Dirs[rng.Next(World.Dirs.Length)],
                rng.NextDouble() < 0.85);
            var members = new List<string>();
            if (a.DefinesOwn) members.Add(Source(world, sources, $"L{lib.Index}", Definition(lib)));
            if (rng.NextDouble() < 0.35 || members.Count == 0)
            {
                int k = rng.Next(world.Libraries.Count);
                members.Add(Source(world, sources, $"X{k}", $"int fn{k}(void){{return {k};}}\n"));
            }
            if (rng.NextDouble() < 0.35)
                members.Add(Source(world, sources, $"U{lib.Index}",
                    $"int nowhere{lib.Index}(void);\nint aux{lib.Index}(void){{return nowhere{lib.Index}();}}\n"));
            plans.Add((a, [.. members.OrderBy(_ => rng.Next())]));
        }
        if (plans.Count == 0) return;
        List<string> compile = ["-c", "-fPIC", .. sources.Select(s => $"{s}.c")];
        world.Do($"(cd obj && {world.Flavour.Compiler()} {string.Join(' ', compile)})",
            () => Tools.Run(world, world.Flavour.Compiler(), compile, "obj"));
        foreach (var (a, members) in plans)
        {
            List<string> args = ["rcs", $"../{a.RelPath}", .. members.Select(m => m + ".o")];
            world.Do($"(cd obj && {Archiver(world.Flavour)} {string.Join(' ', args)})",
                () => Tools.Run(world, Archiver(world.Flavour), args, "obj"));
            Archives.Add(a);
        }
    }

    /// <summary>Li.o: fn_i, calling each dependency's fn_j as the shared build of library i does.</summary>
    private static string Definition(World.Library lib) =>
        string.Concat(lib.Deps.Select(j => $"int fn{j}(void);\n")) +
        $"int fn{lib.Index}(void){{return {string.Concat(lib.Deps.Select(j => $"fn{j}()+"))}{lib.Index};}}\n";

    private static string Source(World world, List<string> sources, string name, string text)
    {
        if (!sources.Contains(name))
        {
            Directory.CreateDirectory(world.P("obj"));
            world.Do($"mkdir -p obj && printf '%s' {World.Quote(text)} > obj/{name}.c",
                () => File.WriteAllText(world.P($"obj/{name}.c"), text));
            sources.Add(name);
        }
        return name;
    }

    /// <summary>binutils' ar of the target (Debian's native ar does not index aarch64 objects reliably).</summary>
    public static string Archiver(LinkerFlavour f) => f == LinkerFlavour.CrossLd ? "aarch64-linux-gnu-ar" : "ar";

    /// <summary>Archives of libraries the command line does not name, at random places; the program then mostly
    /// uses them.</summary>
    public void DrawUnnamed(World world, Random rng, List<World.Library> direct, List<World.Library> used,
        List<string> extra, List<string> ldirs)
    {
        foreach (var a in Archives.Where(a => direct.All(d => d.Index != a.Index)))
        {
            if (rng.NextDouble() >= 0.3) continue;
            extra.Add(ArchiveSpelling(world, rng, a, ldirs));
            if (rng.NextDouble() < 0.7) used.Add(world.Libraries[a.Index]);
        }
    }

    /// <summary>A named library with an archive is sometimes named -l:libLi.a, -lLi or the archive's path
    /// instead.</summary>
    public void Respell(World world, Random rng, List<World.Library> direct, List<string> inputs, List<string> ldirs)
    {
        for (int k = 0; k < direct.Count; k++)
        {
            if (Of(direct[k].Index) is not { } a || rng.NextDouble() >= 0.4) continue;
            inputs[k] = ArchiveSpelling(world, rng, a, ldirs);
        }
    }

    private static string ArchiveSpelling(World world, Random rng, Archive a, List<string> ldirs)
    {
        int choice = rng.Next(4);
        if (choice < 2 && rng.NextDouble() < 0.85) ldirs.Add(a.Dir);
        return choice switch
        {
            0 => $"-l:{a.File}",
            1 => $"-lL{a.Index}",
            2 => a.RelPath,
            _ => world.P(a.RelPath),
        };
    }

    /// <summary>-Wl,-Bstatic spans (closed by -Wl,-Bdynamic or left open to the driver's own libraries) and -static.
    /// </summary>
    public static void Toggle(Random rng, List<string> inputs, List<string> cmd)
    {
        for (int spans = rng.NextDouble() < 0.5 ? 1 : rng.Next(3); spans > 0; spans--)
        {
            int from = rng.Next(inputs.Count + 1);
            inputs.Insert(from, "-Wl,-Bstatic");
            if (rng.NextDouble() < 0.75) inputs.Insert(rng.Next(from + 1, inputs.Count + 1), "-Wl,-Bdynamic");
        }
        if (rng.NextDouble() < 0.08) cmd.Add("-static");
    }
}

/// <summary>Runs a world's build tool in a directory under the world, failing loudly with the world's
/// script.</summary>
internal static class Tools
{
    public static void Run(World world, string tool, IEnumerable<string> args, string dir)
    {
        var r = NativeLinkGuard.Toolchain.ProcessRunner.Run(tool, args, world.BaseEnvironment, world.P(dir),
            timeoutMs: 60_000);
        if (r.ExitCode != 0)
            throw new InvalidOperationException(
                $"building the world failed:\n{string.Join('\n', world.Script)}\n{r.StandardError}");
    }
}
