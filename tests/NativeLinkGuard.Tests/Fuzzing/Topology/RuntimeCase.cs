using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// One random runtime case in a world: a program or library really linked with GNU ld (its own run path: `$ORIGIN`
/// forms or absolute, new or old dtags), sometimes moved to another directory afterwards (its `$ORIGIN` moves
/// with it) and the world damaged further (deleted, moved, non-ELF, other-class libraries); or, where the link
/// failed, a library of the world. Loaded under a random LD_LIBRARY_PATH (unset, empty, absolute or relative
/// elements, empty elements, `;` separators, `$ORIGIN`).
/// </summary>
internal sealed record RuntimeCase(string Id, string File, string? LdLibraryPath)
{
    public static RuntimeCase Draw(World world, Random rng, string id, int k)
    {
        var link = LinkCase.Draw(world, rng, id, LinkerFlavour.GnuLd);
        bool shared = rng.NextDouble() < 0.3;
        string output = shared ? $"libout{k}.so" : $"out{k}";
        var cmd = link.Command.ToList();
        cmd[cmd.IndexOf("app")] = output;
        if (shared) cmd.Insert(1, "-shared");
        cmd.Add(rng.NextDouble() < 0.5 ? "-Wl,--enable-new-dtags" : "-Wl,--disable-new-dtags");
        if (rng.NextDouble() < 0.6) cmd.Add("-Wl,-rpath," + string.Join(':', Enumerable.Range(0, rng.Next(1, 3)).Select(_ => OriginElement(world, rng))));
        var produced = link with { Command = [.. cmd] };
        var r = ProcessRunner.Run(cmd[0], cmd.Skip(1), produced.Environment, world.Root, timeoutMs: 60_000);
        string? file = null;
        if (r.ExitCode == 0)
        {
            world.Script.Add(produced.Shell(world));
            file = output;
            if (rng.NextDouble() < 0.3)
            {
                string to = World.Dirs[rng.Next(World.Dirs.Length)];
                world.Do($"mv {output} {to}/", () => System.IO.File.Move(world.P(output), world.P($"{to}/{output}")));
                file = $"{to}/{output}";
            }
        }
        if (rng.NextDouble() < 0.3) world.DamageOne(rng);
        if (file is null || rng.NextDouble() < 0.2)
            file = world.Libraries.Select(l => l.RelPath).Where(p => IsHostElf(world.P(p))).OrderBy(_ => rng.Next()).FirstOrDefault() ?? file;
        if (file is null)
        {
            // Neither the link nor any library of the world gives a root: the bare program, with the drawn run path.
            file = output;
            string[] bare = [cmd[0], .. shared ? ["-shared"] : Array.Empty<string>(), "-o", output, ObjectPool.Shared.Object("main.o", LinkerFlavour.GnuLd), .. cmd.Where(a => a.StartsWith("-Wl,-rpath,", StringComparison.Ordinal) || a.Contains("-dtags", StringComparison.Ordinal))];
            var b = ProcessRunner.Run(bare[0], bare.Skip(1), world.BaseEnvironment, world.Root, timeoutMs: 60_000);
            if (b.ExitCode != 0) throw new InvalidOperationException($"the bare program does not link:\n{b.StandardError}");
            world.Script.Add((link with { Command = bare, Environment = world.BaseEnvironment }).Shell(world));
        }
        return new RuntimeCase(id, world.P(file), DrawLdLibraryPath(world, rng));
    }

    private static string OriginElement(World world, Random rng) => rng.Next(7) switch
    {
        0 => "$ORIGIN",
        1 => "${ORIGIN}/" + World.Dirs[rng.Next(World.Dirs.Length)],
        2 => "$ORIGIN/../" + World.Dirs[rng.Next(World.Dirs.Length)],
        3 => "$ORIGIN/../../" + World.Dirs[rng.Next(World.Dirs.Length)],
        4 => "$ORIGIN/" + World.Gone,
        _ => world.P(World.Dirs[rng.Next(World.Dirs.Length)]),
    };

    private static string? DrawLdLibraryPath(World world, Random rng)
    {
        double p = rng.NextDouble();
        if (p < 0.35) return null;
        if (p < 0.42) return "";
        var elements = World.Dirs.Append(World.Gone).Where(_ => rng.NextDouble() < 0.35).Select(d => rng.Next(6) switch
        {
            0 or 1 => d,
            2 => "$ORIGIN/" + d,
            _ => world.P(d),
        }).ToList();
        if (elements.Count == 0 || rng.NextDouble() < 0.1) elements.Insert(rng.Next(elements.Count + 1), "");
        return string.Join(rng.NextDouble() < 0.1 ? ';' : ':', elements.OrderBy(_ => rng.Next()));
    }

    /// <summary>An x86-64 ELF file: the only kind this machine's loader can be asked about directly.</summary>
    private static bool IsHostElf(string path)
    {
        try
        {
            using var f = System.IO.File.OpenRead(path);
            var h = new byte[20];
            return f.Read(h, 0, 20) == 20 && h[0] == 0x7f && h[1] == (byte)'E' && h[2] == (byte)'L' && h[3] == (byte)'F' && h[4] == 2 && h[18] == 62;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public string Shell(World world) =>
        $"{(LdLibraryPath is null ? "" : $"LD_LIBRARY_PATH={World.Quote(LdLibraryPath)} ")}LD_TRACE_LOADED_OBJECTS=1 /lib64/ld-linux-x86-64.so.2 {File.Replace(world.Root, "$W")}";
}
