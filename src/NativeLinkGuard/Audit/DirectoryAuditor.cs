using System.Security.Cryptography;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Audit;

/// <summary>One directory's audit: the findings, and the SONAME links ldconfig would make (SONAME → file).</summary>
public sealed record DirectoryAudit(string Directory, IReadOnlyList<Finding> Findings, IReadOnlyDictionary<string, string> SonameLinks);

/// <summary>
/// Audits a library directory by ldconfig's rules, changing nothing: for every SONAME, the entry named after it must
/// be a symbolic link to the newest file with that SONAME. Regular-file copies (cuDNN unpacked with plain cp),
/// stale or wrong links, dangling and looping links are findings, each with the exact commands that fix it.
/// </summary>
public static class DirectoryAuditor
{
    private const int MaxEntries = 200_000;

    private sealed record Entry(string Name, string Path, bool IsLink, string? LinkTarget, ElfFile? Elf, long Size, string? Error);

    public static DirectoryAudit Audit(string directory)
    {
        var findings = new List<Finding>();
        var links = new SortedDictionary<string, string>(StringComparer.Ordinal);
        List<string> names;
        try
        {
            names = System.IO.Directory.EnumerateFileSystemEntries(directory).Take(MaxEntries + 1).Select(System.IO.Path.GetFileName).OfType<string>()
                .Where(IsLibraryName).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            findings.Add(Make(DiagnosticCodes.CheckFailed, Severity.Warning, directory, $"{directory}: {e.Message}", e.Message, []));
            return new DirectoryAudit(directory, findings, links);
        }
        if (names.Count > MaxEntries)
            findings.Add(Make(DiagnosticCodes.CheckFailed, Severity.Warning, directory, $"{directory}: more than {MaxEntries} library entries; only the first are audited", "", []));

        var entries = new List<Entry>();
        foreach (var name in names.Take(MaxEntries))
        {
            var e = Read(directory, name);
            if (e.Error is { } err)
            {
                findings.Add(Make(DiagnosticCodes.BrokenSymlink, Severity.Warning, name, $"{name} cannot be used: {err}",
                    $"Cannot stat {System.IO.Path.Combine(directory, name)}: {err}",
                    [new Suggestion(SuggestionQuality.Proper, $"remove the broken link {name}", [], "a link that leads nowhere only hides which library is meant.")
                        { Commands = [$"rm -f {ShellQuote.Quote(name)}"] }]));
                continue;
            }
            if (e.Elf is { IsSharedObject: true }) entries.Add(e);
        }

        foreach (var group in entries.GroupBy(e => e.Elf!.Soname ?? e.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string soname = group.Key;
            var candidates = group.Where(e => e.Name != soname).ToList();
            if (candidates.Count == 0) continue; // the file is named after its SONAME: nothing to link
            var newest = candidates.Where(e => !e.IsLink).DefaultIfEmpty(candidates[0]).MaxBy(e => e.Name, LibraryVersionComparer.Instance)!;
            // ldconfig links to the newest file with that SONAME; a symlink candidate leads to its target.
            string target = newest.IsLink && newest.LinkTarget is { } lt ? System.IO.Path.GetFileName(lt) : newest.Name;
            links[soname] = target;
            var existing = entries.FirstOrDefault(e => e.Name == soname) ?? ReadMaybe(directory, soname);
            if (existing is null)
            {
                findings.Add(Make(DiagnosticCodes.SonameLinkWrong, Severity.Warning, soname, $"{soname} is missing: nothing provides the name the loader looks for ({target} has SONAME {soname})",
                    $"{soname} -> {target} (ldconfig would create it)", [LinkFix(soname, target, "create the SONAME link")]));
            }
            else if (!existing.IsLink)
            {
                findings.Add(NotALink(directory, soname, target, existing, group.ToList()));
            }
            else if (System.IO.Path.GetFileName(existing.LinkTarget ?? "") != target)
            {
                string now = existing.LinkTarget ?? "?";
                string why = existing.Elf?.Soname is { } s && s != soname ? $"points at {now}, whose SONAME is {s}" : $"points at {now}, not the newest {target}";
                findings.Add(Make(DiagnosticCodes.SonameLinkWrong, Severity.Warning, soname, $"{soname} {why}",
                    $"{soname} -> {target} (changed)", [LinkFix(soname, target, "point the SONAME link at the newest version")]));
            }
            DevelopmentLink(directory, soname, target, findings);
        }
        return new DirectoryAudit(directory, findings, links);
    }

    /// <summary>The cuDNN case: the SONAME name is a regular file, often a byte-identical copy of the real one.</summary>
    private static Finding NotALink(string directory, string soname, string target, Entry copy, List<Entry> group)
    {
        var real = group.First(e => e.Name == target);
        bool identical = copy.Size == real.Size && SameBytes(copy.Path, real.Path);
        var copies = group.Where(e => !e.IsLink && e.Name != target && e.Size == real.Size && SameBytes(e.Path, real.Path)).ToList();
        long wasted = copies.Sum(e => e.Size);
        string detail = identical
            ? $"a byte-identical copy of {target}; {copies.Count} cop{(copies.Count == 1 ? "y wastes" : "ies waste")} {wasted:N0} bytes"
            : $"a regular file that differs from {target}: a stale copy that can win over the newer library";
        var commands = new List<string> { $"ln -sfn {ShellQuote.Quote(target)} {ShellQuote.Quote(soname)}" };
        foreach (var c in copies.Where(c => c.Name != soname).OrderBy(c => c.Name, StringComparer.Ordinal))
            commands.Add($"ln -sfn {ShellQuote.Quote(soname)} {ShellQuote.Quote(c.Name)}");
        var fix = new Suggestion(SuggestionQuality.Proper, $"replace the copies with the link chain {string.Join(" -> ", commands.Count > 1 ? new[] { copies.First(c => c.Name != soname).Name, soname, target } : new[] { soname, target })}",
            [], "ldconfig and the loader expect SONAME → real file; copies waste space and go stale on the next upgrade. When copying libraries, use cp -a (or cp -P) to keep the links.")
        { Commands = commands };
        return Make(DiagnosticCodes.SonameNotALink, Severity.Warning, soname, $"{soname} is not a symbolic link: {detail}",
            $"{System.IO.Path.Combine(directory, soname)} is not a symbolic link", [fix]);
    }

    /// <summary>The development link libX.so (used by -lX): informational when it is missing or points elsewhere.</summary>
    private static void DevelopmentLink(string directory, string soname, string target, List<Finding> findings)
    {
        int so = soname.IndexOf(".so", StringComparison.Ordinal);
        if (so < 0) return;
        string dev = soname[..(so + 3)];
        if (dev == soname) return;
        var e = ReadMaybe(directory, dev);
        if (e is null || !e.IsLink) return; // a missing dev link is normal for runtime-only dirs; a copy is covered above
        string to = System.IO.Path.GetFileName(e.LinkTarget ?? "");
        if (to == soname || to == target) return;
        findings.Add(Make(DiagnosticCodes.SonameLinkWrong, Severity.Info, dev, $"development link {dev} points at {e.LinkTarget}, not at {soname}",
            $"{dev} -> {e.LinkTarget}", [LinkFix(dev, soname, "point the development link at the SONAME")]));
    }

    private static Suggestion LinkFix(string link, string target, string summary) =>
        new(SuggestionQuality.Proper, $"{summary}: {link} -> {target}", [], "what ldconfig -n would do, without running it on a directory it may not own.")
        { Commands = [$"ln -sfn {ShellQuote.Quote(target)} {ShellQuote.Quote(link)}"] };

    private static Finding Make(string code, Severity severity, string library, string message, string ld, IReadOnlyList<Suggestion> suggestions) =>
        new(code, severity, message, library, null, [], [], suggestions, [], ld);

    private static bool IsLibraryName(string name) =>
        (name.StartsWith("lib", StringComparison.Ordinal) || name.StartsWith("ld-", StringComparison.Ordinal)) && name.Contains(".so", StringComparison.Ordinal);

    private static Entry? ReadMaybe(string dir, string name)
    {
        string path = System.IO.Path.Combine(dir, name);
        return File.Exists(path) || new FileInfo(path).LinkTarget is not null ? Read(dir, name) : null;
    }

    private static Entry Read(string dir, string name)
    {
        string path = System.IO.Path.Combine(dir, name);
        try
        {
            var info = new FileInfo(path);
            string? linkTarget = info.LinkTarget;
            if (linkTarget is not null)
            {
                string? real = NativeMethods.RealPath(path);
                if (real is null)
                    return new Entry(name, path, true, linkTarget, null, 0, LinkError(info));
            }
            if (!info.Exists) return new Entry(name, path, false, null, null, 0, "No such file or directory");
            // FIFOs, sockets and devices named like libraries (or /proc entries) are never opened.
            if (NativeMethods.Stat(path) is { Type: not FileStatType.Regular })
                return new Entry(name, path, linkTarget is not null, linkTarget, null, 0, "not a regular file");
            ElfReader.TryRead(path, out var elf, out _);
            long size = linkTarget is null ? info.Length : new FileInfo(NativeMethods.RealPath(path)!).Length;
            return new Entry(name, path, linkTarget is not null, linkTarget, elf, size, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Entry(name, path, false, null, null, 0, e.Message);
        }
    }

    private static string LinkError(FileInfo link)
    {
        try
        {
            link.ResolveLinkTarget(returnFinalTarget: true);
            return "No such file or directory";
        }
        catch (IOException)
        {
            return "Too many levels of symbolic links";
        }
    }

    private const long MaxHashedBytes = 8L << 30;

    private static bool SameBytes(string a, string b)
    {
        try
        {
            if (NativeMethods.RealPath(a) == NativeMethods.RealPath(b)) return true;
            // Sizes are equal here; a copy larger than this is reported by size alone rather than read twice.
            if (NativeMethods.Stat(a) is not { Type: FileStatType.Regular, Size: <= MaxHashedBytes }) return false;
            using var fa = new FileStream(NativeMethods.OpenForRead(a), FileAccess.Read);
            using var fb = new FileStream(NativeMethods.OpenForRead(b), FileAccess.Read);
            return SHA256.HashData(fa).AsSpan().SequenceEqual(SHA256.HashData(fb));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
