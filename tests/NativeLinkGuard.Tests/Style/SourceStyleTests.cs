using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Style;

/// <summary>
/// Line length (120) and method length (80 lines, the ld argument switch excepted) over the sources of the repository;
/// the .editorconfig rules are enforced by the build itself (EnforceCodeStyleInBuild).
/// </summary>
public sealed class SourceStyleTests
{
    /// <summary>The sources held to both limits: all of src/ (issue 17).</summary>
    private static readonly string[] s_checked = ["src"];

    /// <summary>The one method allowed to be long: ld's option switch reads best as one table-like switch.</summary>
    private static readonly (string File, string Method)[] s_longMethodExceptions =
    [
        ("src/NativeLinkGuard/Commands/LdArgumentParser.cs", "Parse"),
    ];

    [Test]
    public void No_line_is_longer_than_120_characters()
    {
        var longLines = Sources().SelectMany(s => SourceLayout.LongLines(s.Path, s.Lines)).ToList();
        Assert.That(longLines, Is.Empty, string.Join('\n', longLines));
    }

    [Test]
    public void No_method_is_longer_than_80_lines()
    {
        var longMethods = Sources()
            .SelectMany(s => SourceLayout.Methods(s.Lines)
                .Where(m => m.Length > SourceLayout.MaxMethodLines)
                .Where(m => !s_longMethodExceptions.Contains((s.Path, m.Name)))
                .Select(m => $"{s.Path}:{m.Line}: {m.Name} has {m.Length} lines"))
            .ToList();
        Assert.That(longMethods, Is.Empty, string.Join('\n', longMethods));
    }

    /// <summary>The runtime model (the successors of the 692-line RuntimeResolver, issue 17): small files, each
    /// one concern (the search order, the walk, the memos, the spellings, the records, the objects built from them).
    /// </summary>
    private const string RuntimeModel = "src/NativeLinkGuard/Runtime";

    [Test]
    public void No_file_of_the_runtime_model_reaches_300_lines()
    {
        var root = Path.Combine(Repository.Root, RuntimeModel);
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).ToList();
        Assert.That(files, Is.Not.Empty, RuntimeModel);
        var longFiles = files
            .Select(f => (Path: Path.GetRelativePath(Repository.Root, f), Lines: File.ReadAllLines(f).Length))
            .Where(f => f.Lines >= 300)
            .Select(f => $"{f.Path}: {f.Lines} lines")
            .ToList();
        Assert.That(longFiles, Is.Empty, string.Join('\n', longFiles));
    }

    [Test]
    public void Every_checked_directory_holds_sources()
    {
        foreach (string dir in s_checked)
        {
            string root = Path.Combine(Repository.Root, dir);
            Assert.That(Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories), Is.Not.Empty, dir);
        }
    }

    [Test]
    public void Lines_over_the_limit_are_reported_with_file_and_line()
    {
        string[] lines = ["short", new string('x', 120), new string('y', 121)];
        Assert.That(SourceLayout.LongLines("a.cs", lines), Is.EqualTo(new[] { "a.cs:3: 121 characters" }));
    }

    [Test]
    public void Methods_are_measured_from_signature_to_closing_brace()
    {
        string[] lines =
        [
            "namespace N;",
            "",
            "public sealed class C(int x)",
            "{",
            "    private readonly int _y = Math.Max(1,",
            "        2);",
            "",
            "    /// <summary>Block body.</summary>",
            "    public int Block(int a,",
            "        int b)",
            "    {",
            "        if (a > b)",
            "        {",
            "            return a;",
            "        }",
            "        return b;",
            "    }",
            "",
            "    public int Expression() =>",
            "        x switch",
            "        {",
            "            1 => 2,",
            "            _ => 3,",
            "        };",
            "",
            "    public int Property => _y;",
            "",
            "    private sealed class Nested",
            "    {",
            "        public Nested()",
            "        {",
            "        }",
            "    }",
            "}",
        ];
        Assert.That(SourceLayout.Methods(lines),
            Is.EqualTo(new[] { ("Block", 9, 9), ("Expression", 19, 6), ("Nested", 30, 3) }));
    }

    private static IEnumerable<(string Path, string[] Lines)> Sources() =>
        s_checked
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(Repository.Root, dir), "*.cs",
                SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(Repository.Root, f), File.ReadAllLines(f)));
}
