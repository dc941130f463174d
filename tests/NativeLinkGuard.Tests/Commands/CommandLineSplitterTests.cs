using NativeLinkGuard.Commands;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Commands;

public sealed class CommandLineSplitterTests
{
    [TestCase("/usr/bin/c++ -O2 main.o -o app  -lfoo", new[] { "/usr/bin/c++", "-O2", "main.o", "-o", "app", "-lfoo" })]
    [TestCase("a 'b c' \"d e\" f\\ g", new[] { "a", "b c", "d e", "f g" })]
    [TestCase("'a\\b' \"c\\d\" \"e\\\"f\" \"\\$x\"", new[] { "a\\b", "c\\d", "e\"f", "$x" })]
    [TestCase("x'y'\"z\" '' \"\"", new[] { "xyz", "", "" })]
    [TestCase("a \\\nb", new[] { "a", "b" })]
    [TestCase("-Wl,-rpath,'$ORIGIN/../lib'", new[] { "-Wl,-rpath,$ORIGIN/../lib" })]
    [TestCase("  ", new string[0])]
    public void Splits_like_a_posix_shell(string command, string[] expected)
    {
        Assert.That(CommandLineSplitter.TrySplitShell(command, out var words, out string? error), Is.True);
        Assert.That((words, error), Is.EqualTo((expected, (string?)null)));
    }

    [TestCase("gcc 'unterminated arg", "unterminated single quote", new[] { "gcc", "unterminated arg" })]
    [TestCase("gcc \"x", "unterminated double quote", new[] { "gcc", "x" })]
    public void Unterminated_quote_returns_what_it_has_and_an_error(string command, string message, string[] expected)
    {
        bool ok = CommandLineSplitter.TrySplitShell(command, out var words, out string? error);

        Assert.That((ok, words, error), Is.EqualTo((false, expected, message)));
        Assert.That(CommandLineSplitter.SplitShell(command), Is.EqualTo(expected));
    }

    [Test]
    public void Agrees_with_sh_on_a_tricky_line()
    {
        const string command = "a 'b c' \"d \\\"e\\\" \\x\" f\\ g 'h'\"i\" \\'";
        Tool.Require(File.Exists("/bin/sh"), "needs /bin/sh");
        var info = new System.Diagnostics.ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("printf '%s\\n' " + command);
        using var process = System.Diagnostics.Process.Start(info)!;
        string[] shell = process.StandardOutput.ReadToEnd().TrimEnd('\n').Split('\n');
        process.WaitForExit();

        Assert.That(CommandLineSplitter.SplitShell(command), Is.EqualTo(shell));
    }
}
