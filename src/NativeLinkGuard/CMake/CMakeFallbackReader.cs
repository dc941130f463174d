using System.Text;
using NativeLinkGuard.Commands;

namespace NativeLinkGuard.CMake;

/// <summary>
/// When a build has no File API reply (an old CMake, a configure step that cannot be re-run), the link commands are
/// still on disk: the Makefiles generators' <c>CMakeFiles/&lt;target&gt;.dir/link.txt</c>, and Ninja's <c>build.ninja</c>
/// link statements with their rules in <c>CMakeFiles/rules.ninja</c>. Bounded, never throws.
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
            string? line = File.ReadLines(linkTxt).FirstOrDefault(l => l.Contains(" -o ", StringComparison.Ordinal));
            if (line is null || !CommandLineSplitter.TrySplitShell(line, out var argv, out _)) continue; // static libraries (ar) have no -o
            string targetDir = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(linkTxt)!, "..", ".."));
            string name = Path.GetFileName(Path.GetDirectoryName(linkTxt)!)[..^".dir".Length];
            targets.Add(Target(name, argv, targetDir, linkTxt));
        }
        return new CMakeBuild(buildDir, "Unix Makefiles", OrderByUse(targets), new Dictionary<string, string>()) { Source = "link.txt files" };
    }

    private static CMakeTarget Target(string name, IReadOnlyList<string> argv, string cwd, string source)
    {
        int o = argv.ToList().IndexOf("-o");
        string output = o >= 0 && o + 1 < argv.Count ? Path.GetFullPath(Path.Combine(cwd, argv[o + 1])) : Path.Combine(cwd, name);
        bool shared = argv.Contains("-shared");
        var link = new CMakeLink(argv, cwd, source, CMakeLinkCommand.SonameOf(argv));
        return new CMakeTarget(output, name, shared ? "SHARED_LIBRARY" : "EXECUTABLE", Path.GetFileName(output), [output], cwd, null, [], [])
        {
            KnownLink = link,
        };
    }

    /// <summary>Without a dependency graph: a target depends on the shared libraries whose output its command names.</summary>
    private static List<CMakeTarget> OrderByUse(List<CMakeTarget> targets)
    {
        var libs = targets.Where(t => t.IsShared).ToList();
        var withDeps = targets.Select(t => t with
        {
            Dependencies = libs.Where(l => l.Id != t.Id && t.KnownLink!.Command.Any(a =>
                Path.GetFileName(a) == Path.GetFileName(l.Id) || a.EndsWith("/" + Path.GetFileName(l.Id), StringComparison.Ordinal))).Select(l => l.Id).ToList(),
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
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("build ", StringComparison.Ordinal)) continue;
            var head = ParseBuildLine(lines[i]);
            if (head is not { } h || !h.Rule.Contains("_LINKER__", StringComparison.Ordinal) || h.Rule.Contains("STATIC", StringComparison.Ordinal)) continue;
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
            string part = template.Split(" && ").FirstOrDefault(p => p.Contains("$TARGET_FILE", StringComparison.Ordinal) || p.Contains("$out", StringComparison.Ordinal)) ?? template;
            string command = Substitute(part, vars);
            if (!CommandLineSplitter.TrySplitShell(command, out var argv, out _) || argv.Count == 0) continue;
            string name = TargetName(h.Rule);
            var target = Target(name, argv, buildDir, Path.Combine(buildDir, "build.ninja"));
            targets.Add(target with { Dependencies = h.Implicit.Select(x => Path.GetFullPath(Path.Combine(buildDir, x))).ToList() });
        }
        if (targets.Count == 0) { error = "build.ninja has no link statements"; return null; }
        return new CMakeBuild(buildDir, "Ninja", CMakeBuild.BuildOrder(targets), new Dictionary<string, string>()) { Source = "build.ninja" };
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

    private readonly record struct BuildLine(List<string> Outputs, string Rule, List<string> Inputs, List<string> Implicit);

    /// <summary><c>build OUT…: RULE IN… | IMPLICIT… || ORDER…</c>, with ninja's <c>$ </c> and <c>$:</c> escapes.</summary>
    private static BuildLine? ParseBuildLine(string line)
    {
        var words = new List<string>();
        var cur = new StringBuilder();
        for (int i = 6; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '$' && i + 1 < line.Length) { cur.Append(line[++i]); continue; }
            if (c == ' ') { if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); } continue; }
            if (c == ':' && words.All(w => w != ":")) { if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); } words.Add(":"); continue; }
            cur.Append(c);
        }
        if (cur.Length > 0) words.Add(cur.ToString());
        int colon = words.IndexOf(":");
        if (colon < 0 || colon + 1 >= words.Count) return null;
        var rest = words.Skip(colon + 2).ToList();
        int bar = rest.IndexOf("|"), bars = rest.IndexOf("||");
        int inputsEnd = bar >= 0 ? bar : bars >= 0 ? bars : rest.Count;
        var implicitDeps = bar >= 0 ? rest.Skip(bar + 1).TakeWhile(w => w != "||").ToList() : [];
        return new BuildLine(words.Take(colon).ToList(), words[colon + 1], rest.Take(inputsEnd).ToList(), implicitDeps);
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
