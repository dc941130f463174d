using System.Text.RegularExpressions;
using NativeLinkGuard.Commands;

namespace NativeLinkGuard.CMake;

/// <summary>The link command CMake will run for a target, and where it runs it.</summary>
public sealed record CMakeLink(IReadOnlyList<string> Command, string WorkingDirectory, string Source, string? Soname);

/// <summary>
/// The link command of a target: the generator's own command when the loader found one (exactly what the build
/// runs), else built from the File API fragments in CMake's order (a generator whose files are not read).
/// </summary>
public static partial class CMakeLinkCommand
{
    public static CMakeLink? Build(CMakeBuild build, CMakeTarget target, out string? error)
    {
        error = null;
        if (target.KnownLink is { } known) return known;
        if (target.LinkLanguage is null || !build.Compilers.TryGetValue(target.LinkLanguage, out var compiler))
        {
            error = $"no compiler known for the link language {target.LinkLanguage ?? "(none)"} of {target.Name}";
            return null;
        }
        // Ninja runs every command from the top of the build tree (and the File API's paths are relative to it);
        // the Makefiles generators run a target's link in the target's own build directory.
        string cwd = build.Generator?.Contains("Ninja", StringComparison.Ordinal) == true
            ? build.BuildDirectory
            : target.BuildDirectory;
        var cmd = new List<string> { compiler };
        string? soname = null;
        foreach (var f in target.Fragments.Where(f => f.Role == "flags")) cmd.AddRange(Split(f.Fragment));
        if (target.IsShared)
        {
            cmd.Add("-shared");
            soname = target.Type == "SHARED_LIBRARY" ? target.NameOnDisk : null;
            if (soname is not null) cmd.Add("-Wl,-soname," + soname);
        }
        string output = target.Artifacts.FirstOrDefault() is { } a ? Path.GetRelativePath(cwd, a) : target.NameOnDisk;
        cmd.AddRange(["-o", output]);
        foreach (var f in target.Fragments.Where(f => f.Role is "libraryPath" or "frameworkPath" or "libraries"))
            cmd.AddRange(Split(f.Fragment));
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

    [GeneratedRegex(@"-soname[,=]([^,\s]+)")]
    private static partial Regex SonameRegex();
}
