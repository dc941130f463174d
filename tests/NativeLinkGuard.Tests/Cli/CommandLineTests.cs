using System.Text.RegularExpressions;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Cli.CommandLine;

namespace NativeLinkGuard.Tests.Cli;

/// <summary>
/// The contract every command keeps: <c>--help</c> exits 0 and names each option; a wrong command line exits 2 with one
/// line <c>nativelinkguard &lt;cmd&gt;: problem</c> and a usage hint, and nothing on stdout.
/// </summary>
public sealed class CommandLineTests
{
    // What README.md documents for each command, written out here so that a lost table entry fails.
    private static readonly Dictionary<string, string[]> Documented = new()
    {
        ["check"] = ["--format", "--hint-dir", "--cwd", "--verbose", "-v", "--no-probe", "--search-dir", "--sysroot"],
        ["cmake"] = ["--target", "--format", "--hint-dir", "--configure", "--nested", "--verbose", "-v"],
        ["audit"] = ["--format"],
        ["runtime"] = ["--format", "--ld-library-path", "--sysroot", "--hint-dir", "--cwd", "--verbose", "-v"],
        ["pinvoke"] = ["--format", "--rid", "--ld-library-path", "--sysroot", "--hint-dir", "--cwd", "--verbose", "-v"],
    };

    // Arguments that make the rest of the command line valid: only the option under test can be wrong.
    private static readonly Dictionary<string, string[]> Rest = new()
    {
        ["check"] = ["--", "gcc", "-o", "app", "main.o"],
        ["cmake"] = ["build"],
        ["audit"] = ["lib"],
        ["runtime"] = ["libfoo.so"],
        ["pinvoke"] = ["bin"],
    };

    private static readonly string[] Names = ["check", "cmake", "audit", "runtime", "pinvoke"];

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static bool Mentions(string text, string option) =>
        Regex.IsMatch(text, $@"(?<![\w-]){Regex.Escape(option)}(?![\w-])");

    [TestCaseSource(nameof(Names))]
    public void Help_exits_0_and_names_every_option(string command)
    {
        using (Assert.EnterMultipleScope())
        {
            string[][] asks =
                [[command, "--help"], [command, "-h"], ["help", command], [command, "--format", "json", "-h"]];
            foreach (string[] args in asks)
            {
                var (code, text, err) = Run(args);
                Assert.That(code, Is.EqualTo(0), string.Join(' ', args) + ": " + err);
                Assert.That(err, Is.Empty);
                Assert.That(text, Does.StartWith($"usage: nativelinkguard {command} "));
                foreach (string option in Documented[command])
                    Assert.That(Mentions(text, option), Is.True, $"{string.Join(' ', args)}: no {option} in\n{text}");
            }
        }
    }

    [TestCaseSource(nameof(Names))]
    public void The_table_holds_exactly_the_documented_options_and_the_parser_accepts_each(string command)
    {
        var table = CliApp.All.Single(c => c.Name == command);
        Assert.That(table.Options.SelectMany(o => o.Alias is null ? [o.Name] : new[] { o.Name, o.Alias }),
            Is.EquivalentTo(Documented[command]));
        foreach (var option in table.Options)
        {
            foreach (string spelling in new[] { option.Name, option.Alias }.OfType<string>())
            {
                string[] value = option.TakesValue ? [option.Allowed?[^1] ?? "x"] : [];
                var parsed = ArgumentParser.Parse(table, [spelling, .. value, .. Rest[command]]);
                Assert.That(parsed.Has(option.Name), Is.True, spelling);
                if (option.TakesValue) Assert.That(parsed.Value(option.Name), Is.EqualTo(value[0]));
            }
        }
    }

    private static IEnumerable<TestCaseData> BadCommandLines()
    {
        foreach (string c in Names)
        {
            string formats = c == "audit" ? "text or json" : "text, json or sarif";
            string hint = c == "check" ? " (put the link command after --)" : "";
            yield return Case(c, "unknown option", ["--bogus"], $"unknown option '--bogus'{hint}");
            yield return Case(c, "unknown short option", ["-x"], $"unknown option '-x'{hint}");
            yield return Case(c, "bad --format", ["--format", "xml"], $"unknown format 'xml' ({formats})");
            yield return Case(c, "empty --format", ["--format="], $"unknown format '' ({formats})");
            if (c != "audit") // the only command without --verbose
                yield return Case(c, "flag with a value", ["--verbose=yes"], "--verbose takes no value");
        }
    }

    private static TestCaseData Case(string command, string what, string[] bad, string problem) =>
        new TestCaseData(command, bad, problem).SetName($"{command}: {what}");

    [TestCaseSource(nameof(BadCommandLines))]
    public void A_bad_option_is_one_line_and_exit_2(string command, string[] bad, string problem)
    {
        var (code, text, err) = Run([command, .. bad, .. Rest[command]]);
        AssertOneLineUsageError(command, code, text, err, problem);
    }

    [TestCaseSource(nameof(Names))]
    public void A_missing_value_is_one_line_and_exit_2(string command)
    {
        string formats = command == "audit" ? "text or json" : "text, json or sarif";
        // At the end of the line, and followed by another option or by "--" (a forgotten value, not the value).
        var (code, text, err) = Run(command, "--format");
        AssertOneLineUsageError(command, code, text, err, $"--format needs a value ({formats})");
        var (code2, text2, err2) = Run([command, "--format", "--help", .. Rest[command]]);
        AssertOneLineUsageError(command, code2, text2, err2, $"--format needs a value ({formats})");
        var (code3, text3, err3) = Run([command, "--format", "--", .. Rest[command]]);
        AssertOneLineUsageError(command, code3, text3, err3, $"--format needs a value ({formats})");
    }

    [Test]
    public void Missing_and_extra_arguments_are_one_line_and_exit_2()
    {
        using (Assert.EnterMultipleScope())
        {
            var check = Run("check", "gcc", "-o", "app");
            AssertOneLineUsageError("check", check.Code, check.Out, check.Err,
                "unexpected argument 'gcc' (put the link command after --)");
            var noCommand = Run("check", "--format", "json", "--");
            AssertOneLineUsageError("check", noCommand.Code, noCommand.Out, noCommand.Err, "no link command after --");
            var cmake = Run("cmake", "a", "b");
            AssertOneLineUsageError("cmake", cmake.Code, cmake.Out, cmake.Err, "unexpected argument 'b'");
            var audit = Run("audit", "--format", "json");
            AssertOneLineUsageError("audit", audit.Code, audit.Out, audit.Err, "missing <dir>...");
            var runtime = Run("runtime");
            AssertOneLineUsageError("runtime", runtime.Code, runtime.Out, runtime.Err, "missing <file>...");
            var probe = Run("check", "--search-dir", "/x", "--", "gcc");
            AssertOneLineUsageError("check", probe.Code, probe.Out, probe.Err,
                "--search-dir and --sysroot go with --no-probe (a probed toolchain says these itself)");
        }
    }

    [Test]
    public void The_program_help_lists_every_command_and_help_of_a_command_is_its_help()
    {
        var (code, text, _) = Run("--help");
        Assert.That(code, Is.EqualTo(0));
        foreach (string c in Names) Assert.That(text, Does.Contain($"nativelinkguard {c} [options]"));
        Assert.That(Run("help").Out, Is.EqualTo(text));
        Assert.That(Run("help", "cmake").Out, Is.EqualTo(Run("cmake", "--help").Out));
        Assert.That(Run().Code, Is.EqualTo(2), "no command at all is a usage error");
        Assert.That(Run("--version").Out.Trim(), Does.Match(@"^\d+\.\d+\.\d+$"));
        var unknown = Run("bogus");
        Assert.That((unknown.Code, unknown.Err.TrimEnd().Split('\n')[0]),
            Is.EqualTo((2, "nativelinkguard: unknown command 'bogus' (check, cmake, audit, runtime or pinvoke)")));
        var helpUnknown = Run("help", "bogus");
        Assert.That((helpUnknown.Code, helpUnknown.Err.TrimEnd().Split('\n')[0]),
            Is.EqualTo((2, "nativelinkguard help: unknown command 'bogus'")));
    }

    private static void AssertOneLineUsageError(string command, int code, string stdout, string stderr, string problem)
    {
        string[] lines = stderr.TrimEnd('\n').Split('\n');
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stdout, Is.Empty);
            Assert.That(lines, Has.Length.EqualTo(2), stderr);
            Assert.That(lines[0], Is.EqualTo($"nativelinkguard {command}: {problem}"));
            Assert.That(lines[^1], Does.StartWith($"usage: nativelinkguard {command} [options]")
                .And.Contain($"nativelinkguard {command} --help"));
        }
    }
}
