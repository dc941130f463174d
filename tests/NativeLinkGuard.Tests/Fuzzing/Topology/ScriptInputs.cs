namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// Linker scripts as inputs in a random world (issue 16, item 1): 1–3 text files, each either a library's
/// development name libLi.so (as glibc's libc.so: GROUP of the real library and more) or libGk.so, holding
/// INPUT(...) and/or GROUP(...) with members spelled as a file name (searched in the script's directory, the cwd,
/// then the search directories), a cwd-relative path, an absolute path, -lLm, -l:FILE, an archive, an earlier script
/// (nested; never a cycle), or a member that does not exist; some wrapped in AS_NEEDED(...); now and then an
/// OUTPUT_FORMAT, the link's or the other architecture's (a searched script of another format is skipped).
/// </summary>
internal sealed class ScriptInputs
{
    /// <summary>A script: its place, and the world libraries its members may reach (for the program to use).
    /// </summary>
    public sealed record Script(string Name, string Dir, bool IsLibraryName, int[] Reaches)
    {
        public string RelPath => $"{Dir}/lib{Name}.so";
    }

    public List<Script> Scripts { get; } = [];

    public ScriptInputs(World world, ArchiveInputs? archives, Random rng)
    {
        // Names -l searches that a script already refers to: a later script never takes them (no cycles).
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        for (int k = rng.Next(1, 4); k > 0; k--)
        {
            var candidates = world.Libraries.Where(l => l.HasSoname && !referenced.Contains($"L{l.Index}")
                && Scripts.All(s => s.Name != $"L{l.Index}")).ToList();
            var own = candidates.Count > 0 && rng.NextDouble() < 0.4 ? candidates[rng.Next(candidates.Count)]
                : null;
            string name = own is null ? $"G{Scripts.Count}" : $"L{own.Index}";
            string dir = own is not null && rng.NextDouble() < 0.7 ? own.Dir : World.Dirs[rng.Next(World.Dirs.Length)];
            referenced.Add(name);
            var reaches = new HashSet<int>();
            var members = new List<string>();
            if (own is not null && rng.NextDouble() < 0.85) members.Add(LibraryMember(world, rng, own, name, reaches, referenced));
            for (int m = rng.Next(own is null ? 1 : 0, 3); m > 0; m--)
                members.Add(Member(world, archives, rng, name, reaches, referenced));
            if (members.Count == 0) members.Add(Member(world, archives, rng, name, reaches, referenced));
            var script = new Script(name, dir, own is not null, [.. reaches]);
            string text = Text(world, rng, members);
            string path = world.P(script.RelPath);
            world.Do($"rm -f {script.RelPath} && printf '%s' {World.Quote(text)} > {script.RelPath}", () =>
            {
                File.Delete(path);
                File.WriteAllText(path, text);
            });
            Scripts.Add(script);
        }
    }

    private string Member(World world, ArchiveInputs? archives, Random rng, string self,
        HashSet<int> reaches, HashSet<string> referenced)
    {
        double r = rng.NextDouble();
        if (r < 0.12) return rng.Next(3) switch
        {
            0 => "libnothere.so.1",
            1 => world.P($"{World.Gone}/libL0.so.1"),
            _ => "-lnothere",
        };
        if (r < 0.27 && Scripts.Count > 0)
        {
            var s = Scripts[rng.Next(Scripts.Count)];
            foreach (int i in s.Reaches) reaches.Add(i);
            if (rng.Next(3) == 0 && s.Name != self) return $"-l{s.Name}";
            return rng.Next(2) == 0 ? $"lib{s.Name}.so" : world.P(s.RelPath);
        }
        var lib = world.Libraries[rng.Next(world.Libraries.Count)];
        if (r < 0.42 && archives?.Of(lib.Index) is { } a)
        {
            reaches.Add(lib.Index);
            return rng.Next(3) switch { 0 => a.File, 1 => $"-l:{a.File}", _ => world.P(a.RelPath) };
        }
        return LibraryMember(world, rng, lib, self, reaches, referenced);
    }

    private static string LibraryMember(World world, Random rng, World.Library lib, string self, HashSet<int> reaches,
        HashSet<string> referenced)
    {
        reaches.Add(lib.Index);
        int choice = rng.Next(5);
        if (choice == 0 && lib.LinkableByName && self != $"L{lib.Index}")
        {
            referenced.Add($"L{lib.Index}");
            return $"-lL{lib.Index}";
        }
        return choice switch
        {
            1 => lib.RelPath,
            2 => world.P(lib.RelPath),
            3 => $"-l:{lib.File}",
            _ => lib.File,
        };
    }

    private static string Text(World world, Random rng, List<string> members)
    {
        var parts = new List<string>();
        if (rng.NextDouble() < 0.3) parts.Add("/* GNU ld script */");
        if (rng.NextDouble() < 0.2)
        {
            bool own = rng.NextDouble() < 0.7;
            bool arm = (world.Flavour == LinkerFlavour.CrossLd) == own;
            parts.Add($"OUTPUT_FORMAT({(arm ? "elf64-littleaarch64" : "elf64-x86-64")})");
        }
        int split = rng.Next(members.Count + 1);
        string Wrap(List<string> ms)
        {
            if (ms.Count > 1 && rng.NextDouble() < 0.35)
            {
                int at = rng.Next(ms.Count);
                return string.Join(' ', ms.Take(at)) + " AS_NEEDED ( " + string.Join(' ', ms.Skip(at)) + " )";
            }
            return ms.Count == 1 && rng.NextDouble() < 0.2 ? $"AS_NEEDED({ms[0]})" : string.Join(' ', ms);
        }
        if (split > 0) parts.Add($"INPUT ( {Wrap([.. members.Take(split)])} )");
        if (split < members.Count) parts.Add($"GROUP ( {Wrap([.. members.Skip(split)])} )");
        return string.Join('\n', parts) + "\n";
    }

    /// <summary>
    /// On the link line: some scripts, spelled -lName (with its directory in -L, mostly), -l:libName.so or a path;
    /// the program then uses some of the libraries they reach.
    /// </summary>
    public void Spell(World world, Random rng, List<string> extra, List<World.Library> used, List<string> ldirs)
    {
        foreach (var s in Scripts)
        {
            if (rng.NextDouble() >= (s.IsLibraryName ? 0.3 : 0.6)) continue;
            int choice = rng.Next(4);
            if (choice < 2 && rng.NextDouble() < 0.85) ldirs.Add(s.Dir);
            extra.Add(choice switch
            {
                0 => $"-l{s.Name}",
                1 => $"-l:lib{s.Name}.so",
                2 => s.RelPath,
                _ => world.P(s.RelPath),
            });
            used.AddRange(s.Reaches.Where(_ => rng.NextDouble() < 0.5).Select(i => world.Libraries[i]));
        }
    }
}
