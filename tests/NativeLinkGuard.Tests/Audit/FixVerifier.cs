using System.Security.Cryptography;
using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Audit;

/// <summary>
/// Point 3 of the audit, checked on the real file system rather than on the audit's own model: every suggested
/// command is run in a scratch copy of the directory (twice, for idempotence), and then no file's bytes are lost, no
/// name dangles, loops or newly leads out of the directory, every library name that loaded still loads (dlopen) the
/// same bytes (only the SONAME links a fix re-points on purpose may change), and ldconfig and the audit accept the result.
/// </summary>
public static class FixVerifier
{
    private sealed record NameState(string Kind, string? LinkTarget, string? Hash, bool Inside, string? Error);

    /// <summary>Returns the problems found (empty when the fixes are safe and work); also how many commands ran.</summary>
    public static (List<string> Problems, int Commands) Verify(string dir, DirectoryAudit audit, DlopenProbe probe)
    {
        var problems = new List<string>();
        var commands = audit.Findings.SelectMany(f => f.Suggestions.Take(1)).SelectMany(s => s.Commands ?? []).ToList();
        if (commands.Count == 0) return (problems, 0);
        string scratch = ScratchDirectory.CopyPreservingLinks(dir);
        try
        {
            var before = Snapshot(scratch);
            var loadedBefore = probe.Loadable(scratch, before.Keys.Where(LibraryEntry.IsLibraryName));
            string script = "set -e; cd \"$1\"; " + string.Join("; ", commands);
            var r1 = ProcessRunner.Run("/bin/sh", ["-c", script, "sh", scratch]);
            if (r1.ExitCode != 0) problems.Add($"commands failed: {r1.StandardError}");
            var once = Snapshot(scratch);
            var r2 = ProcessRunner.Run("/bin/sh", ["-c", script, "sh", scratch]);
            var twice = Snapshot(scratch);
            if (r2.ExitCode != 0 || !once.OrderBy(k => k.Key).SequenceEqual(twice.OrderBy(k => k.Key))) problems.Add("the commands are not idempotent");

            var bytesBefore = before.Values.Where(s => s.Kind == "file").Select(s => s.Hash).ToHashSet();
            var bytesAfter = once.Values.Where(s => s.Kind == "file").Select(s => s.Hash).ToHashSet();
            foreach (var lost in bytesBefore.Except(bytesAfter)) problems.Add($"bytes {lost} are gone from the directory");
            var repointed = audit.Findings.Where(f => f.Code == DiagnosticCodes.SonameLinkWrong).Select(f => f.Library).ToHashSet();
            foreach (var (name, was) in before)
            {
                var now = once.GetValueOrDefault(name);
                if (was.Error is null && (now is null || now.Error is not null)) problems.Add($"{name} no longer resolves ({now?.Error ?? "removed"})");
                if (now is { Error: null, Inside: false } && was.Inside) problems.Add($"{name} now leads out of the directory");
                if (was.Error is null && now is { Error: null } && was.Hash != now.Hash && !repointed.Contains(name)) problems.Add($"{name} now holds other bytes");
            }
            foreach (var (name, now) in once.Where(kv => !before.ContainsKey(kv.Key)))
                if (now.Error is not null || !now.Inside) problems.Add($"new name {name} dangles, loops or leads out ({now.Error})");
            var loadedAfter = probe.Loadable(scratch, once.Keys.Where(LibraryEntry.IsLibraryName));
            foreach (var lost in loadedBefore.Except(loadedAfter)) problems.Add($"{lost} loaded before the fix and does not after");

            // The fixes work: what remains is only what had no command.
            var unfixed = audit.Findings.Where(f => f.Suggestions.All(s => s.Commands is not { Count: > 0 })).Select(f => f.Library).ToHashSet();
            var ld = LdconfigOracle.Read(scratch);
            foreach (var n in ld.NotLinks.Concat(ld.CannotStat).Concat(ld.Changed).Where(n => !unfixed.Contains(n))) problems.Add($"ldconfig still complains about {n}");
            foreach (var f in DirectoryAuditor.Audit(scratch).Findings.Where(f => f.Severity != Severity.Info && !unfixed.Contains(f.Library)))
                problems.Add($"the audit still finds {f.Code} {f.Message}");
            return (problems, commands.Count);
        }
        finally
        {
            ScratchDirectory.Delete(scratch);
        }
    }

    private static Dictionary<string, NameState> Snapshot(string dir)
    {
        string real = NativeMethods.RealPath(dir)!;
        var states = new Dictionary<string, NameState>(StringComparer.Ordinal);
        foreach (var e in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (e.LinkTarget is { } t)
            {
                string? to = NativeMethods.RealPath(e.FullName);
                states[e.Name] = to is null
                    ? new NameState("link", t, null, true, "dangling or looping")
                    : new NameState("link", t, File.Exists(to) ? Hash(to) : "dir", Path.GetDirectoryName(to) == real, null);
            }
            else if (e is FileInfo) states[e.Name] = new NameState("file", null, Hash(e.FullName), true, null);
        }
        return states;
    }

    private static string Hash(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s));
    }
}

/// <summary>A tiny C program built at test time that dlopen()s libraries, as the loader would at run time.</summary>
public sealed class DlopenProbe
{
    private readonly string _exe;

    public DlopenProbe(string workDir)
    {
        Directory.CreateDirectory(workDir);
        File.WriteAllText(Path.Combine(workDir, "dlprobe.c"),
            "#include <dlfcn.h>\n#include <stdio.h>\nint main(int c,char**v){for(int i=1;i<c;i++){void*h=dlopen(v[i],RTLD_LAZY|RTLD_LOCAL);printf(\"%s\\t%s\\n\",h?\"ok\":\"no\",v[i]);}return 0;}\n");
        _exe = Path.Combine(workDir, "dlprobe");
        var r = ProcessRunner.Run("gcc", ["-o", _exe, Path.Combine(workDir, "dlprobe.c"), "-ldl"]);
        if (r.ExitCode != 0) throw new InvalidOperationException(r.StandardError);
    }

    /// <summary>The names in DIR that dlopen() loads.</summary>
    public HashSet<string> Loadable(string dir, IEnumerable<string> names)
    {
        var paths = names.Select(n => Path.Combine(dir, n)).ToList();
        if (paths.Count == 0) return [];
        var r = ProcessRunner.Run(_exe, paths);
        return r.StandardOutput.Split('\n').Where(l => l.StartsWith("ok\t", StringComparison.Ordinal)).Select(l => Path.GetFileName(l[3..])).ToHashSet(StringComparer.Ordinal);
    }
}
