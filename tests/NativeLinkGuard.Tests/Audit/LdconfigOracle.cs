using System.Text.RegularExpressions;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Audit;

/// <summary>What the real ldconfig says about one directory.</summary>
/// <param name="Links">"SONAME -> file" lines of <c>ldconfig -n -N -X -v DIR</c> (its section of DIR only).</param>
/// <param name="NotLinks">Names of "DIR/NAME is not a symbolic link".</param>
/// <param name="CannotStat">Names of "Cannot stat DIR/NAME".</param>
/// <param name="Changed">SONAMEs it creates or re-points ("(changed)") when allowed to write, on a scratch copy.</param>
public sealed record LdconfigView(Dictionary<string, string> Links, SortedSet<string> NotLinks, SortedSet<string> CannotStat, SortedSet<string> Changed)
{
    public bool Silent => NotLinks.Count == 0 && CannotStat.Count == 0 && Changed.Count == 0;
}

/// <summary>Runs the real <c>/sbin/ldconfig</c>: read-only (<c>-X</c>) on the directory, and writing only on a scratch copy.</summary>
public static partial class LdconfigOracle
{
    public const string Program = "/sbin/ldconfig";

    public static bool Exists => File.Exists(Program);

    public static LdconfigView Read(string dir)
    {
        var r = ProcessRunner.Run(Program, ["-n", "-N", "-X", "-v", dir], null, dir);
        var links = Section(r.StandardOutput, dir).Select(l => LinkLine().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        var notLinks = Names(NotALinkLine(), r.StandardError, dir);
        var cannot = Names(CannotStatLine(), r.StandardError, dir);
        string scratch = ScratchDirectory.Copy(dir);
        try
        {
            var w = ProcessRunner.Run(Program, ["-n", "-N", "-v", scratch], null, scratch);
            var changed = new SortedSet<string>(Section(w.StandardOutput, scratch).Select(l => LinkLine().Match(l))
                .Where(m => m.Success && m.Groups[3].Value == " (changed)").Select(m => m.Groups[1].Value), StringComparer.Ordinal);
            return new LdconfigView(links, notLinks, cannot, changed);
        }
        finally
        {
            ScratchDirectory.Delete(scratch);
        }
    }

    // ldconfig -v prints "DIR: (from <cmdline>:0)" then one tab-indented line per SONAME; glibc-hwcaps subdirectories follow as sections of their own.
    private static IEnumerable<string> Section(string stdout, string dir)
    {
        bool inside = false;
        foreach (string line in stdout.Split('\n'))
        {
            if (!line.StartsWith('\t')) inside = line.StartsWith(dir + ": ", StringComparison.Ordinal);
            else if (inside) yield return line;
        }
    }

    private static SortedSet<string> Names(Regex re, string stderr, string dir) => new(
        re.Matches(stderr).Select(m => m.Groups[1].Value).Where(p => Path.GetDirectoryName(p) == dir.TrimEnd('/')).Select(Path.GetFileName).OfType<string>(),
        StringComparer.Ordinal);

    [GeneratedRegex(@"^\t(.+?) -> (.+?)( \(changed\)| \(SKIPPED\))?$")]
    private static partial Regex LinkLine();

    [GeneratedRegex(@"^\S*ldconfig: (.+) is not a symbolic link$", RegexOptions.Multiline)]
    private static partial Regex NotALinkLine();

    [GeneratedRegex(@"^\S*ldconfig: Cannot stat (.+): [^:]+$", RegexOptions.Multiline)]
    private static partial Regex CannotStatLine();
}
