namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// One random library directory for the audit: per family, versioned files (libAf.so.M.m[.p], with the SONAME
/// libAf.so.M, or none), then the SONAME link and the development link each missing, right, stale, dangling,
/// looping, absolute, out of the directory, a regular copy or a hard link; and strays (not ELF, empty, another
/// machine, a directory with a library's name). <see cref="Script"/> replays it in a shell.
/// </summary>
internal sealed class AuditCase : IDisposable
{
    private static readonly string[] Versions = ["0", "1", "9", "10", "1.2", "10.1"];
    private readonly Random _rng;

    public string Id { get; }
    public string Root { get; }
    public string Dir => Path.Combine(Root, "lib");
    public List<string> Script { get; } = [];

    public AuditCase(string id, Random rng)
    {
        Id = id;
        _rng = rng;
        Root = Path.Combine(Path.GetTempPath(), $"nlg-audit-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Dir);
        Directory.CreateDirectory(Path.Combine(Root, "other"));
        Script.Add($"# audit case {id}; libraries from $P/audit (gcc -shared -nostdlib, SONAME libAf.so.M); cd into the case root");
        Script.Add("mkdir -p lib other");
        for (int f = rng.Next(ObjectPool.AuditFamilies); f < ObjectPool.AuditFamilies; f++) Family(f);
        Strays();
    }

    private void Family(int f)
    {
        var files = new List<(string Name, int Major)>();
        var drawn = new HashSet<string>(StringComparer.Ordinal);
        for (int n = _rng.Next(1, 4); n > 0; n--)
        {
            int major = _rng.NextDouble() < 0.1 ? 0 : _rng.Next(1, 3);
            string name = $"libA{f}.so.{Math.Max(major, 1)}.{Versions[_rng.Next(Versions.Length)]}";
            if (!drawn.Add(name)) continue;
            string where = _rng.NextDouble() < 0.1 ? "other" : "lib";
            Do($"cp $P/audit/libA{f}.so.{major} {where}/{name}", () => File.Copy(ObjectPool.Shared.AuditLibrary(f, major), Path.Combine(Root, where, name)));
            if (where == "lib") files.Add((name, major));
            else Link($"lib/{name}", $"../other/{name}");
        }
        foreach (int major in files.Select(x => Math.Max(x.Major, 1)).Distinct())
            NameFor($"libA{f}.so.{major}", files.Select(x => x.Name).ToList(), files);
        if (_rng.NextDouble() < 0.6) NameFor($"libA{f}.so", [.. files.Select(x => x.Name), $"libA{f}.so.1", $"libA{f}.so.2"], files);
    }

    /// <summary>What the name (a SONAME or development name) is: nothing, a link (right, stale, dangling, looping,
    /// absolute, through the merged path), a regular copy or a hard link.</summary>
    private void NameFor(string name, List<string> candidates, List<(string Name, int Major)> regular)
    {
        string path = $"lib/{name}";
        if (File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path))) return;
        string pick = candidates[_rng.Next(candidates.Count)];
        bool exists = regular.Any(r => r.Name == pick); // copied or hard-linked only from a regular file
        switch (_rng.Next(9))
        {
            case 0: break;
            case 1 or 2: Link(path, pick); break;
            case 3: Link(path, "nowhere/" + pick); break;
            case 4: Link(path, name); break;
            case 5: Link(path, Path.Combine(Dir, pick)); break;
            case 6: Link(path, $"../lib/{pick}"); break;
            case 7 when exists: Do($"cp lib/{pick} {path}", () => File.Copy(Path.Combine(Dir, pick), Path.Combine(Root, path))); break;
            case 8 when exists: Do($"ln lib/{pick} {path}", () => NativeLinkGuard.Toolchain.ProcessRunner.Run("ln", [Path.Combine(Dir, pick), Path.Combine(Root, path)])); break;
        }
    }

    private void Strays()
    {
        if (_rng.NextDouble() < 0.15) Do("echo 'not a library' > lib/libjunk.so.1", () => File.WriteAllText(Path.Combine(Dir, "libjunk.so.1"), "not a library\n"));
        if (_rng.NextDouble() < 0.1) Do(": > lib/libempty.so.1", () => File.WriteAllText(Path.Combine(Dir, "libempty.so.1"), ""));
        if (_rng.NextDouble() < 0.1 && ObjectPool.Shared.ArmDir is { } arm)
            Do("cp $P/arm/libL0.so.1 lib/libL0.so.1.0", () => File.Copy(Path.Combine(arm, "libL0.so.1"), Path.Combine(Dir, "libL0.so.1.0")));
        if (_rng.NextDouble() < 0.05) Do("mkdir lib/libdir.so.1", () => Directory.CreateDirectory(Path.Combine(Dir, "libdir.so.1")));
    }

    private void Link(string path, string target) => Do($"ln -s {(target.StartsWith(Root, StringComparison.Ordinal) ? $"\"$W{target[Root.Length..]}\"" : World.Quote(target))} {path}", () => File.CreateSymbolicLink(Path.Combine(Root, path), target));

    private void Do(string shell, Action action)
    {
        Script.Add(shell);
        action();
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
