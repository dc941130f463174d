using System.Text.RegularExpressions;
using NativeLinkGuard.Scripts;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Scripts;

/// <summary>Puts each text in a libfoo.so, links with the real ld and compares how ld took it.</summary>
[Category("RequiresCc")]
public sealed partial class LinkerScriptAgainstLdTests
{
    private static readonly string[] s_texts =
    [
        "GROUP ( libreal.so )\n",
        "GROUP ( libreal.so \n",
        "GROUP ( libreal.so ))\n",
        "\n/* abc\n GROUP(libreal.so)\n",
        "GROUP ( \"libreal.so )\n",
        "# comment\nGROUP ( libreal.so ) # more\n",
        "GROUP ( libreal.so , -lreal )\n",
        "GROUP ( libreal.so , , libreal.so )\n",
        "GROUP ( , libreal.so )\n",
        "GROUP ( ) \n",
        "GROUP ( AS_NEEDED() libreal.so )\n",
        "GROUP ( GROUP ( libreal.so ) )\n",
        "INPUT ( libreal.so AS_NEEDED ( AS_NEEDED ( -lreal ) ) ) ;\n",
        "\u0001\u0002garbage\n",
        "GROUP ( libreal.so @x )\n",
        "GROUP ( -l\"real\" )\n",
        "GROUP ( -lreal -x )\n",
        "SECTIONS { . = 0x1000; }\nGROUP(libreal.so)\n",
        "SECTIONS { .text : { *(.text) } }\n",
        "FOO(bar)\nGROUP ( libreal.so )\n",
        "foo = 1;\nGROUP ( libreal.so )\n",
        "a\nb\nGROUP ( libreal.so\n",
        "// line comment\nGROUP(libreal.so)\n",
        "OUTPUT_FORMAT(elf64-x86-64, elf64-x86-64, elf64-x86-64)\nGROUP ( libreal.so )\n",
        "OUTPUT_FORMAT(\"elf64-x86-64\", \"elf64-x86-64\", \"elf64-x86-64\")\nGROUP ( libreal.so )\n",
        "OUTPUT_ARCH(i386:x86-64)\nENTRY(main)\nSEARCH_DIR(\"/x y\")\nGROUP ( -lreal )\n",
    ];

    private static IEnumerable<string> Texts => s_texts;

    [TestCaseSource(nameof(Texts))]
    public void Parser_agrees_with_ld_on_whether_and_where_a_script_fails(string text)
    {
        Tool.RequireOnPath("ld");
        using var dir = new TempDirectory();
        dir.Write("libfoo.so", text);
        (_, string output) = Tool.Run(dir.Path, "ld", "-o", "out", "-L.", "-lfoo");

        var error = LinkerScriptParser.Parse(text).Error;

        var syntax = SyntaxErrorLine().Match(output);
        ScriptErrorKind? ldKind =
            syntax.Success ? ScriptErrorKind.SyntaxError
            : output.Contains("EOF in comment") ? ScriptErrorKind.UnterminatedComment
            : output.Contains("file not recognized") ? ScriptErrorKind.NotAScript
            : null;
        Assert.That(error?.Kind, Is.EqualTo(ldKind), output);
        if (syntax.Success && error is { AtEndOfInput: false })
        {
            Assert.That(error.Line, Is.EqualTo(int.Parse(syntax.Groups[1].Value)), output);
        }
    }

    [GeneratedRegex(@"libfoo\.so:(\d+): syntax error")]
    private static partial Regex SyntaxErrorLine();
}
