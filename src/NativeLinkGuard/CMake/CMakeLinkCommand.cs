using System.Text.RegularExpressions;
using NativeLinkGuard.Commands;

namespace NativeLinkGuard.CMake;

/// <summary>The link command CMake will run for a target, and where it runs it.</summary>
public sealed record CMakeLink(IReadOnlyList<string> Command, string WorkingDirectory, string Source, string? Soname);

/// <summary>
/// The link command of a target: the Makefiles generator's own <c>link.txt</c> when present (exactly what make runs),
/// else built from the File API fragments in CMake's order, with the SONAME from <c>build.ninja</c> when there is one.
/// </summary>
public static partial class CMakeLinkCommand
{
    public static CMakeLink? Build(CMakeBuild build, CMakeTarget target, out string? error)
    {
        error = null;
        if (target.KnownLink is { } known) return known;
        string linkTxt = Path.Combine(target.BuildDirectory, "CMakeFiles", target.Name + ".dir", "link.txt");
        if (File.Exists(linkTxt))
        {
            // link.txt may hold several commands (e.g. a strip step), one per line; the link is the one with -o.
            string? line = File.ReadLines(linkTxt).FirstOrDefault(l => l.Contains(" -o ", StringComparison.Ordinal)) ?? File.ReadLines(linkTxt).FirstOrDefault();
            string? splitError = "empty file";
            if (line is not null && CommandLineSplitter.TrySplitShell(line, out var argv, out splitError) && argv.Count > 0)
                return new CMakeLink(argv, target.BuildDirectory, linkTxt, SonameOf(argv));
            error = $"{linkTxt}: cannot read the link command ({splitError})";
            return null;
        }
        if (target.LinkLanguage is null || !build.Compilers.TryGetValue(target.LinkLanguage, out var compiler))
        {
            error = $"no compiler known for the link language {target.LinkLanguage ?? "(none)"} of {target.Name}";
            return null;
        }
        // Ninja runs every command from the top of the build tree (and the File API's paths are relative to it);
        // the Makefiles generators run a target's link in the target's own build directory.
        string cwd = build.Generator?.Contains("Ninja", StringComparison.Ordinal) == true ? build.BuildDirectory : target.BuildDirectory;
        var cmd = new List<string> { compiler };
        string? soname = null;
        foreach (var f in target.Fragments.Where(f => f.Role == "flags")) cmd.AddRange(Split(f.Fragment));
        if (target.IsShared)
        {
            cmd.Add("-shared");
            soname = NinjaSoname(build, target) ?? (target.Type == "SHARED_LIBRARY" ? target.NameOnDisk : null);
            if (soname is not null) cmd.Add("-Wl,-soname," + soname);
        }
        string output = target.Artifacts.FirstOrDefault() is { } a ? Path.GetRelativePath(cwd, a) : target.NameOnDisk;
        cmd.AddRange(["-o", output]);
        foreach (var f in target.Fragments.Where(f => f.Role is "libraryPath" or "frameworkPath" or "libraries")) cmd.AddRange(Split(f.Fragment));
        return new CMakeLink(cmd, cwd, "CMake File API", soname);
    }

    private static IEnumerable<string> Split(string fragment) =>
        CommandLineSplitter.TrySplitShell(fragment, out var words, out _) ? words : [fragment];

    internal static string? SonameOf(IReadOnlyList<string> argv)
    {
        for (int i = 0; i < argv.Count; i++)
        {
            var m = SonameRegex().Match(argv[i]);
            if (m.Success) return m.Groups[1].Value;
            if (argv[i] is "-Wl,-soname" or "-soname" && i + 1 < argv.Count) return argv[i + 1];
        }
        return null;
    }

    /// <summary>Ninja's build statement for the target carries <c>SONAME = …</c>.</summary>
    private static string? NinjaSoname(CMakeBuild build, CMakeTarget target)
    {
        string ninja = Path.Combine(build.BuildDirectory, "build.ninja");
        if (!File.Exists(ninja) || target.Artifacts.Count == 0) return null;
        string artifact = Path.GetRelativePath(build.BuildDirectory, target.Artifacts[0]);
        bool inTarget = false;
        foreach (var line in File.ReadLines(ninja))
        {
            if (line.StartsWith("build ", StringComparison.Ordinal)) inTarget = line.StartsWith("build " + artifact + ":", StringComparison.Ordinal);
            else if (inTarget && line.TrimStart().StartsWith("SONAME = ", StringComparison.Ordinal)) return line.Trim()["SONAME = ".Length..];
        }
        return null;
    }

    [GeneratedRegex(@"-soname[,=]([^,\s]+)")]
    private static partial Regex SonameRegex();
}
