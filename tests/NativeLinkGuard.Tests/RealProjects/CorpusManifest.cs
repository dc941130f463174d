using System.Text.RegularExpressions;

namespace NativeLinkGuard.Tests.RealProjects;

/// <summary>
/// One real project of a corpus: its tarball, the CMake source directory inside it (null: the tarball's one top
/// directory), its configure flags.
/// </summary>
public sealed record CorpusProject(string Tarball, string? SourceDirectory, IReadOnlyList<string> ConfigureFlags)
{
    /// <summary><c>yaml-cpp-c3f81127.tar.gz</c> → <c>yaml-cpp</c>.</summary>
    public string Name => CorpusManifest.TarballName().Replace(Path.GetFileName(Tarball), "$1");

    public override string ToString() => Path.GetFileName(Tarball);
}

/// <summary>
/// A directory of real projects' source tarballs described by the table of its README.md, one row per tarball:
/// <c>| `name-commit.tar.gz` | project (source dir `x/y`) | commit | licence | `-DFLAG=ON …` |</c>. The source
/// directory defaults to the tarball's top directory; the flags are the backticked words of the last column.
/// </summary>
public static partial class CorpusManifest
{
    public static IReadOnlyList<CorpusProject> Read(string directory)
    {
        string readme = Path.Combine(directory, "README.md");
        if (!File.Exists(readme)) throw new FileNotFoundException($"{readme}: a corpus directory needs a README.md with its table");
        var projects = new List<CorpusProject>();
        foreach (var line in File.ReadLines(readme))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length < 4 || TarballCell().Match(cells[1]) is not { Success: true } tar) continue;
            string tarball = Path.Combine(directory, tar.Groups[1].Value);
            if (!File.Exists(tarball)) throw new FileNotFoundException($"{readme} names {tar.Groups[1].Value}, which is not in {directory}");
            var source = SourceDirCell().Match(cells[2]);
            string flagsCell = cells[^2];
            var flags = Backticked().Matches(flagsCell).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.StartsWith("-D", StringComparison.Ordinal)).ToList();
            projects.Add(new CorpusProject(tarball, source.Success ? source.Groups[1].Value : null, flags));
        }
        if (projects.Count == 0) throw new InvalidDataException($"{readme} lists no tarball");
        return projects;
    }

    [GeneratedRegex(@"^(.+?)(-[0-9a-f]{6,40})?\.tar\.gz$")]
    internal static partial Regex TarballName();

    [GeneratedRegex(@"^`([^`]+\.tar\.gz)`$")]
    private static partial Regex TarballCell();

    [GeneratedRegex(@"source dir `([^`]+)`")]
    private static partial Regex SourceDirCell();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
