using System.Text.RegularExpressions;
using NativeLinkGuard.Commands;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Commands;

public sealed partial class ResponseFilesTests
{
    [TestCase("a b\tc\nd\r\ne\f\vf", new[] { "a", "b", "c", "d", "e", "f" })]
    [TestCase("  'x y' \"p q\" a\\ b", new[] { "x y", "p q", "a b" })]
    [TestCase("'c\\d' \"a\\\"b\" e\"f\"g", new[] { "cd", "a\"b", "efg" })]
    [TestCase("'' x", new[] { "", "x" })]
    [TestCase("x\\", new[] { "x" })]
    [TestCase("   \n\t ", new string[0])]
    [TestCase("", new string[0])]
    public void Split_follows_libiberty_buildargv(string text, string[] expected)
    {
        Assert.That(ResponseFiles.Split(text), Is.EqualTo(expected));
    }

    [Test]
    public void Unterminated_quote_runs_to_the_end_of_the_text()
    {
        // ld 2.40 on this file: "cannot find x y\nz\n: No such file or directory".
        Assert.That(ResponseFiles.Split("m.o \"x y\nz\n"), Is.EqualTo(new[] { "m.o", "x y\nz\n" }));
    }

    [Test]
    public void Nested_file_is_relative_to_the_working_directory_not_to_the_containing_file()
    {
        using var dir = new TempDirectory();
        dir.Write("sub/outer.rsp", "-DOUTER @inner.rsp");
        dir.Write("sub/inner.rsp", "-DINNER_SUB");
        dir.Write("inner.rsp", "-DINNER_CWD");
        var diagnostics = new List<ResponseFileDiagnostic>();

        var args = ResponseFiles.Expand(["gcc", "@sub/outer.rsp", "x.o"], dir.Path, diagnostics);

        Assert.That((args, diagnostics.Count), Is.EqualTo((new[] { "gcc", "-DOUTER", "-DINNER_CWD", "x.o" }, 0)));
    }

    [Test]
    public void Missing_file_stays_a_literal_argument()
    {
        using var dir = new TempDirectory();
        var diagnostics = new List<ResponseFileDiagnostic>();

        Assert.That(ResponseFiles.Expand(["@nosuch.rsp", "@"], dir.Path, diagnostics), Is.EqualTo(new[] { "@nosuch.rsp", "@" }));
        Assert.That(diagnostics, Is.Empty);
    }

    [Test]
    public void Whitespace_only_file_contributes_no_arguments()
    {
        using var dir = new TempDirectory();
        dir.Write("empty.rsp", " \n ");

        Assert.That(ResponseFiles.Expand(["a", "@empty.rsp", "b"], dir.Path, []), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void Self_including_file_stops_with_a_diagnostic()
    {
        using var dir = new TempDirectory();
        dir.Write("self.rsp", "x @self.rsp");
        var diagnostics = new List<ResponseFileDiagnostic>();

        var args = ResponseFiles.Expand(["@self.rsp"], dir.Path, diagnostics);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(diagnostics, Is.EqualTo(new[] { new ResponseFileDiagnostic("self.rsp", "too many @-files encountered") }));
            Assert.That(args, Has.Count.EqualTo(ResponseFiles.MaxExpansions + 1));
        }
    }

    [Test]
    public void Directory_named_by_an_at_argument_gives_a_diagnostic()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "d.rsp"));
        var diagnostics = new List<ResponseFileDiagnostic>();

        var args = ResponseFiles.Expand(["@d.rsp"], dir.Path, diagnostics);

        Assert.That((args.Single(), diagnostics.Single().Message), Is.EqualTo(("@d.rsp", "@-file refers to a directory")));
    }

    [Test]
    [Category("RequiresCc")]
    public void Split_agrees_with_ld_on_a_quoted_file()
    {
        Tool.RequireOnPath("ld");
        using var dir = new TempDirectory();
        const string text = "'' \"a\\\"b\" 'c\\d' e\"f\"g 'x y' p\\ q\t\\'r";
        dir.Write("q.rsp", text);

        (_, string output) = Tool.Run(dir.Path, "ld", "-o", "out", "@q.rsp");
        string[] ldArgs = CannotFind().Matches(output).Select(m => m.Groups[1].Value).ToArray();

        Assert.That(ldArgs, Is.EqualTo(ResponseFiles.Split(text)), output);
    }

    [GeneratedRegex(@"cannot find (.*): No such file or directory")]
    private static partial Regex CannotFind();
}
