using System.Text;
using NativeLinkGuard.Commands;

namespace NativeLinkGuard.CMake;

/// <summary>
/// When a build has no File API reply (an old CMake, a configure step that cannot be re-run), the link commands are
/// still on disk: the Makefiles generators' <c>CMakeFiles/&lt;target&gt;.dir/link.txt</c>, and Ninja's
/// <c>build.ninja</c> link statements with their rules in <c>CMakeFiles/rules.ninja</c>. Bounded, never throws.
/// </summary>
public static class CMakeFallbackReader
{
    private const int MaxDepth = 8;

    public static CMakeBuild? TryRead(string buildDir, out string? error)
    {
        error = null;
        try
        {
            if (File.Exists(Path.Combine(buildDir, "build.ninja"))) return ReadNinja(buildDir, out error);
            var linkTxts = new List<string>();
            FindLinkTxt(buildDir, 0, linkTxts);
            if (linkTxts.Count == 0) { error = "no link.txt or build.ninja"; return null; }
            return ReadLinkTxt(buildDir, linkTxts);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return null;
        }
    }

    private static void FindLinkTxt(string dir, int depth, List<string> found)
    {
        if (depth > MaxDepth) return;
        string cmakeFiles = Path.Combine(dir, "CMakeFiles");
        if (Directory.Exists(cmakeFiles))
            foreach (var d in Directory.EnumerateDirectories(cmakeFiles, "*.dir").Order(StringComparer.Ordinal))
                if (File.Exists(Path.Combine(d, "link.txt"))) found.Add(Path.Combine(d, "link.txt"));
        foreach (var sub in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(sub);
            if (name is "CMakeFiles" or ".cmake" || new DirectoryInfo(sub).LinkTarget is not null) continue;
            if (File.Exists(Path.Combine(sub, "CMakeCache.txt"))) continue; // a nested build of its own (--nested)
            FindLinkTxt(sub, depth + 1, found);
        }
    }

    private static CMakeBuild ReadLinkTxt(string buildDir, List<string> linkTxts)
    {
        var targets = new List<CMakeTarget>();
        foreach (var linkTxt in linkTxts)
        {
            string targetDir = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(linkTxt)!, "..", ".."));
            string name = Path.GetFileName(Path.GetDirectoryName(linkTxt)!)[..^".dir".Length];
            if (LinkTxtTarget(name, linkTxt, targetDir) is { } t) targets.Add(t);
        }
        return new CMakeBuild(buildDir, "Unix Makefiles", OrderByUse(targets), new Dictionary<string, string>())
        {
            Source = "link.txt files",
        };
    }

    /// <summary>
    /// One target of the Makefiles generators: its link.txt holds the link (the line with -o; other lines strip or
    /// ranlib) or, for a static library, the archiver's command; its build.make names the library's symlinks.
    /// </summary>
    internal static CMakeTarget? LinkTxtTarget(string name, string linkTxt, string targetDir)
    {
        var lines = File.ReadLines(linkTxt).Take(64).ToList();
        string? line = lines.FirstOrDefault(l => l.Contains(" -o ", StringComparison.Ordinal));
        if (line is not null && CommandLineSplitter.TrySplitShell(line, out var argv, out _) && argv.Count > 0)
        {
            var linkNames = SymlinkNames(Path.Combine(Path.GetDirectoryName(linkTxt)!, "build.make"));
            return Target(name, argv, targetDir, linkTxt) with
            {
                LinkNames = linkNames.Select(n => Path.Combine(targetDir, n)).ToList(),
            };
        }
        // "<ar> qc <archive> <objects>" (CMAKE_<LANG>_ARCHIVE_CREATE): the archive is the word after the mode.
        foreach (var l in lines)
            if (CommandLineSplitter.TrySplitShell(l, out var ar, out _) && ar.Count >= 3 && IsArchiver(ar[0]))
                return StaticTarget(name, Path.GetFullPath(Path.Combine(targetDir, ar[2])), targetDir);
        return null;
    }

    private static bool IsArchiver(string program) =>
        Path.GetFileName(program) is var f
            && (f == "ar" || f.EndsWith("-ar", StringComparison.Ordinal)
                || f.EndsWith("llvm-ar", StringComparison.Ordinal));

    private static CMakeTarget StaticTarget(string name, string archive, string cwd) =>
        new(archive, name, "STATIC_LIBRARY", Path.GetFileName(archive), [archive], cwd, null, [], []);

    /// <summary>The names after the real file in <c>cmake -E cmake_symlink_library REAL SONAME NAMELINK</c>.</summary>
    private static List<string> SymlinkNames(string buildMake)
    {
        if (!File.Exists(buildMake)) return [];
        foreach (var line in File.ReadLines(buildMake))
        {
            int at = line.IndexOf("cmake_symlink_library ", StringComparison.Ordinal);
            if (at < 0) continue;
            string args = line[(at + "cmake_symlink_library ".Length)..];
            if (!CommandLineSplitter.TrySplitShell(args, out var words, out _)) continue;
            return words.Skip(1).Where(w => w.Length > 0 && !w.StartsWith('-')).Distinct(StringComparer.Ordinal)
                .ToList();
        }
        return [];
    }

    private static CMakeTarget Target(string name, IReadOnlyList<string> argv, string cwd, string source)
    {
        int o = argv.ToList().IndexOf("-o");
        string output = o >= 0 && o + 1 < argv.Count
            ? Path.GetFullPath(Path.Combine(cwd, argv[o + 1]))
            : Path.Combine(cwd, name);
        bool shared = argv.Contains("-shared");
        var link = new CMakeLink(argv, cwd, source, CMakeLinkCommand.SonameOf(argv));
        string type = shared ? "SHARED_LIBRARY" : "EXECUTABLE";
        return new CMakeTarget(output, name, type, Path.GetFileName(output), [output], cwd, null, [], [])
        {
            KnownLink = link,
        };
    }

    /// <summary>
    /// Without a dependency graph: a target depends on the libraries of this build that its command names.
    /// </summary>
    private static List<CMakeTarget> OrderByUse(List<CMakeTarget> targets)
    {
        var byFile = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var lib in targets.Where(t => t.IsShared || t.IsStatic))
            foreach (var f in lib.Artifacts.Concat(lib.LinkNames))
                byFile.TryAdd(Path.GetFileName(f), lib.Id);
        var withDeps = targets.Select(t => t.KnownLink is null ? t : t with
        {
            Dependencies = t.KnownLink.Command.Skip(1).Select(a => byFile.GetValueOrDefault(Path.GetFileName(a)))
                .OfType<string>().Where(id => id != t.Id).Distinct(StringComparer.Ordinal).ToList(),
        }).ToList();
        return CMakeBuild.BuildOrder(withDeps);
    }

    private static CMakeBuild? ReadNinja(string buildDir, out string? error)
    {
        error = null;
        var rules = new Dictionary<string, string>(StringComparer.Ordinal);
        string rulesFile = Path.Combine(buildDir, "CMakeFiles", "rules.ninja");
        if (File.Exists(rulesFile)) ReadRules(File.ReadAllLines(rulesFile), rules);
        var lines = File.ReadAllLines(Path.Combine(buildDir, "build.ninja"));
        ReadRules(lines, rules);
        var targets = new List<CMakeTarget>();
        // "build SONAME NAMELINK: CMAKE_SYMLINK_LIBRARY REAL": the links CMake makes to a versioned library.
        var symlinks = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("build ", StringComparison.Ordinal)) continue;
            var head = ParseBuildLine(lines[i]);
            if (head is not { } h) continue;
            if (h.Rule == "CMAKE_SYMLINK_LIBRARY" && h.Inputs.Count > 0)
            {
                symlinks[Path.GetFullPath(Path.Combine(buildDir, h.Inputs[0]))] =
                    h.Outputs.Select(o => Path.GetFullPath(Path.Combine(buildDir, o))).ToList();
                continue;
            }
            if (!h.Rule.Contains("_LINKER__", StringComparison.Ordinal) || h.Outputs.Count == 0) continue;
            string name = TargetName(h.Rule);
            var deps = h.Implicit.Select(x => Path.GetFullPath(Path.Combine(buildDir, x))).ToList();
            if (h.Rule.Contains("_STATIC_LIBRARY_LINKER__", StringComparison.Ordinal))
            {
                string archive = Path.GetFullPath(Path.Combine(buildDir, h.Outputs[0]));
                targets.Add(StaticTarget(name, archive, buildDir) with { Dependencies = deps });
                continue;
            }
            var vars = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int j = i + 1; j < lines.Length && lines[j].StartsWith("  ", StringComparison.Ordinal); j++)
            {
                int eq = lines[j].IndexOf(" = ", StringComparison.Ordinal);
                if (eq > 0) vars[lines[j][..eq].Trim()] = lines[j][(eq + 3)..];
            }
            if (!rules.TryGetValue(h.Rule, out var template)) continue;
            vars["in"] = string.Join(' ', h.Inputs);
            vars["out"] = string.Join(' ', h.Outputs);
            // "$PRE_LINK && cc … -o $TARGET_FILE … && $POST_BUILD": the part that links.
            string part = template.Split(" && ").FirstOrDefault(p =>
                p.Contains("$TARGET_FILE", StringComparison.Ordinal) || p.Contains("$out", StringComparison.Ordinal))
                ?? template;
            string command = Substitute(part, vars);
            if (!CommandLineSplitter.TrySplitShell(command, out var argv, out _) || argv.Count == 0) continue;
            targets.Add(Target(name, argv, buildDir, Path.Combine(buildDir, "build.ninja")) with
            {
                Dependencies = deps,
            });
        }
        targets = targets.Select(t => symlinks.TryGetValue(t.Id, out var names) ? t with { LinkNames = names } : t)
            .ToList();
        if (targets.Count == 0) { error = "build.ninja has no link statements"; return null; }
        return new CMakeBuild(buildDir, "Ninja", CMakeBuild.BuildOrder(targets), new Dictionary<string, string>())
        {
            Source = "build.ninja",
        };
    }

    private static void ReadRules(IReadOnlyList<string> lines, Dictionary<string, string> rules)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith("rule ", StringComparison.Ordinal)) continue;
            string name = lines[i][5..].Trim();
            for (int j = i + 1; j < lines.Count && lines[j].StartsWith("  ", StringComparison.Ordinal); j++)
                if (lines[j].TrimStart().StartsWith("command = ", StringComparison.Ordinal))
                    rules[name] = lines[j].TrimStart()["command = ".Length..];
        }
    }

    private readonly record struct BuildLine(
        List<string> Outputs, string Rule, List<string> Inputs, List<string> Implicit);

    /// <summary>
    /// <c>build OUT…: RULE IN… | IMPLICIT… || ORDER…</c>, with ninja's <c>$ </c> and <c>$:</c> escapes.
    /// </summary>
    private static BuildLine? ParseBuildLine(string line)
    {
        var words = new List<string>();
        var cur = new StringBuilder();
        for (int i = 6; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '$' && i + 1 < line.Length) { cur.Append(line[++i]); continue; }
            if (c == ' ')
            {
                Flush();
                continue;
            }
            if (c == ':' && words.All(w => w != ":"))
            {
                Flush();
                words.Add(":");
                continue;
            }
            cur.Append(c);
        }
        Flush();
        int colon = words.IndexOf(":");
        if (colon < 0 || colon + 1 >= words.Count) return null;
        var rest = words.Skip(colon + 2).ToList();
        int bar = rest.IndexOf("|"), bars = rest.IndexOf("||");
        int inputsEnd = bar >= 0 ? bar : bars >= 0 ? bars : rest.Count;
        var implicitDeps = bar >= 0 ? rest.Skip(bar + 1).TakeWhile(w => w != "||").ToList() : [];
        return new BuildLine(words.Take(colon).ToList(), words[colon + 1], rest.Take(inputsEnd).ToList(), implicitDeps);

        void Flush()
        {
            if (cur.Length == 0) return;
            words.Add(cur.ToString());
            cur.Clear();
        }
    }

    private static string Substitute(string template, Dictionary<string, string> vars)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            if (template[i] != '$' || i + 1 >= template.Length) { sb.Append(template[i]); continue; }
            int j = i + 1;
            while (j < template.Length && (char.IsLetterOrDigit(template[j]) || template[j] == '_')) j++;
            string name = template[(i + 1)..j];
            if (name.Length == 0) { sb.Append(template[i + 1]); i++; continue; }
            sb.Append(vars.TryGetValue(name, out var v) ? v : "");
            i = j - 1;
        }
        return sb.ToString();
    }

    private static string TargetName(string rule)
    {
        int start = rule.IndexOf("_LINKER__", StringComparison.Ordinal) + "_LINKER__".Length;
        string rest = rule[start..];
        int last = rest.LastIndexOf('_');
        return last > 0 ? rest[..last] : rest;
    }
}
