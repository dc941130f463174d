namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// One random link in a world: which libraries the program uses, how each input is spelled (-l, -l:, relative or
/// absolute path), -L dirs in random order (with a stale one), -rpath-link, -rpath, --as-needed or not,
/// --copy-dt-needed-entries, calls into a library the command line does not name, LD_LIBRARY_PATH, LIBRARY_PATH and
/// LD_RUN_PATH; in a sysroot world the sysroot flags (<see cref="SysrootInputs"/>), in a world with symbol features
/// the undefined-symbol flags and a -shared output (<see cref="SymbolInputs"/>).
/// </summary>
internal sealed record LinkCase(string Id, string[] Command, Dictionary<string, string?> Environment)
{
    public static LinkCase Draw(World world, Random rng, string id, LinkerFlavour flavour)
    {
        var libs = world.Libraries;
        var direct = libs.Where(_ => rng.NextDouble() < 0.4).ToList();
        if (direct.Count == 0) direct.Add(libs[rng.Next(libs.Count)]);
        var used = direct.Where(_ => rng.NextDouble() < 0.8).ToList();
        // Sometimes the program also calls a library it does not name: an undefined reference, or ld's "DSO missing"
        // when a named library's DT_NEEDED loads it.
        if (rng.NextDouble() < 0.2) used.Add(libs[rng.Next(libs.Count)]);
        var extras = world.Extras.Draw(world, rng, direct, used); // archives, scripts: only where the world has them
        used = [.. used.Distinct()];
        var cmd = new List<string> { flavour.Compiler() };
        if (flavour == LinkerFlavour.Lld) cmd.Add("-fuse-ld=lld");
        cmd.AddRange(["-o", "app", ObjectPool.Shared.Object("main.o", flavour)]);
        cmd.AddRange(used.Select(l => ObjectPool.Shared.Object($"ref{l.Index}.o", flavour)));

        var ldirs = new List<string>();
        var inputs = new List<string>();
        foreach (var l in direct)
        {
            int choice = rng.Next(4);
            if (choice == 0 || (choice == 1 && l.LinkableByName)) { inputs.Add($"-lL{l.Index}"); if (rng.NextDouble() < 0.85) ldirs.Add(l.Dir); }
            else if (choice == 1) { inputs.Add($"-l:{l.File}"); if (rng.NextDouble() < 0.85) ldirs.Add(l.Dir); }
            else if (choice == 2) inputs.Add(l.RelPath);
            else inputs.Add(world.P(l.RelPath));
        }
        ldirs.AddRange(World.Dirs.Where(_ => rng.NextDouble() < 0.2));
        if (rng.NextDouble() < 0.1) ldirs.Add(World.Gone);
        extras.Arrange(world, rng, direct, inputs, ldirs, cmd);
        ldirs = [.. ldirs.Distinct().OrderBy(_ => rng.Next())];
        cmd.AddRange(ldirs.Select(d => "-L" + (rng.NextDouble() < 0.5 ? d : world.P(d))));
        if (rng.NextDouble() < 0.25) cmd.Add("-Wl,--no-as-needed");
        if (rng.NextDouble() < 0.3) cmd.Add("-Wl,-rpath-link," + RandomDirs(world, rng, relative: true));
        if (rng.NextDouble() < 0.25) cmd.Add("-Wl,-rpath," + RandomDirs(world, rng, relative: false));
        // lld 14 rejects --copy-dt-needed-entries ("unknown argument"); the check has no finding for an option the
        // linker rejects yet (a new code belongs to Diagnostics, issue 15), so it is drawn for GNU ld only.
        if (flavour == LinkerFlavour.GnuLd && rng.NextDouble() < 0.1) cmd.Add("-Wl,--copy-dt-needed-entries");
        cmd.AddRange(world.Sysroot?.Flags(world, rng) ?? []);
        // gcc -static -shared links crtbeginT.o, whose relocations cannot go into a shared object: a relocation
        // error, not a library resolution one, so the two are not drawn together (found by case 1100029:0).
        var symbolFlags = (world.Symbols?.Flags(world, rng) ?? []).ToList();
        cmd.AddRange(symbolFlags.Where(f => f != "-shared" || !cmd.Contains("-static")));
        cmd.AddRange(inputs);

        var env = new Dictionary<string, string?>(world.BaseEnvironment);
        if (rng.NextDouble() < 0.2) env["LD_LIBRARY_PATH"] = RandomDirs(world, rng, relative: false);
        if (rng.NextDouble() < 0.15) env["LIBRARY_PATH"] = RandomDirs(world, rng, relative: false);
        if (rng.NextDouble() < 0.1) env["LD_RUN_PATH"] = RandomDirs(world, rng, relative: false);
        return new LinkCase(id, [.. cmd], env);
    }

    private static string RandomDirs(World world, Random rng, bool relative)
    {
        var dirs = World.Dirs.Append(World.Gone).Where(_ => rng.NextDouble() < 0.35).ToList();
        if (dirs.Count == 0) dirs.Add(World.Dirs[rng.Next(World.Dirs.Length)]);
        return string.Join(':', dirs.OrderBy(_ => rng.Next()).Select(d => relative && rng.NextDouble() < 0.5 ? d : world.P(d)));
    }

    /// <summary>The link as a shell line (environment first), for the replay script.</summary>
    public string Shell(World world)
    {
        var vars = new[] { "LD_LIBRARY_PATH", "LIBRARY_PATH", "LD_RUN_PATH" }.Where(v => Environment.TryGetValue(v, out var x) && x is not null)
            .Select(v => $"{v}={World.Quote(Environment[v]!)} ");
        return (string.Concat(vars) + string.Join(' ', Command.Select(World.Quote))).Replace(ObjectPool.Shared.Dir, "$P").Replace(world.Root, "$W");
    }
}
