using NativeLinkGuard.Scripts;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Scripts;

public sealed class LinkerScriptParserTests
{
    private const string DebianLibc = """
        /* GNU ld script
           Use the shared library, but some functions are only in
           the static library, so try that secondarily.  */
        OUTPUT_FORMAT(elf64-x86-64)
        GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a  AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )
        """;

    [Test]
    public void Debian_libc_script_gives_its_three_members_in_order()
    {
        var script = LinkerScriptParser.Parse(DebianLibc);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(script.Error, Is.Null);
            Assert.That(script.OutputFormat, Is.EqualTo("elf64-x86-64"));
            Assert.That(script.Inputs, Is.EqualTo(new[]
            {
                new ScriptInput("/lib/x86_64-linux-gnu/libc.so.6", false, false, true, 5),
                new ScriptInput("/usr/lib/x86_64-linux-gnu/libc_nonshared.a", false, false, true, 5),
                new ScriptInput("/lib64/ld-linux-x86-64.so.2", false, true, true, 5) { EndsGroup = true },
            }));
        }
    }

    [Test]
    public void Host_text_libraries_parse_without_error()
    {
        // glibc's libc.so and libm.so and gcc's libgcc_s.so are linker scripts; the toolchain says where they are.
        foreach (string path in new[] { "libc.so", "libm.so", "libgcc_s.so" }.Select(Tool.SystemFile))
        {
            Assert.That(LinkerScriptParser.LooksLikeText(File.ReadAllBytes(path).AsSpan(0, 64)), Is.True, path);
            var script = LinkerScriptParser.Parse(File.ReadAllText(path));
            Assert.That(script.Error, Is.Null, path);
            Assert.That(script.Inputs, Is.Not.Empty, path);
        }
    }

    [Test]
    public void Libgcc_s_script_mixes_a_relative_file_and_a_library()
    {
        var script = LinkerScriptParser.Parse("/* GNU ld script */\nGROUP ( libgcc_s.so.1 -lgcc )\n");

        Assert.That(script.Inputs, Is.EqualTo(new[]
        {
            new ScriptInput("libgcc_s.so.1", false, false, true, 2),
            new ScriptInput("gcc", true, false, true, 2) { EndsGroup = true },
        }));
    }

    [Test]
    public void Conda_style_group_keeps_absolute_members_raw()
    {
        var script = LinkerScriptParser.Parse("GROUP ( /lib64/libpthread.so.0 /usr/lib64/libpthread_nonshared.a )");

        Assert.That(script.Inputs.Select(i => i.Name), Is.EqualTo(new[] { "/lib64/libpthread.so.0", "/usr/lib64/libpthread_nonshared.a" }));
    }

    [Test]
    public void Each_group_ends_at_its_last_member()
    {
        // ld ends a group where its list closes: archive rescan and "exit if a file was missing" happen there.
        var script = LinkerScriptParser.Parse("GROUP ( a.so b.a ) INPUT ( c.so ) GROUP ( d.so ) GROUP ( e.so f.so )");

        Assert.That(script.Inputs.Where(i => i.EndsGroup).Select(i => i.Name), Is.EqualTo(new[] { "b.a", "d.so", "f.so" }));
    }

    [Test]
    public void Input_members_are_not_in_a_group_and_nested_as_needed_stays_as_needed()
    {
        var script = LinkerScriptParser.Parse("INPUT ( a.so AS_NEEDED ( b.so AS_NEEDED ( -lc ) d.so ) e.so )");

        Assert.That(script.Inputs, Is.EqualTo(new[]
        {
            new ScriptInput("a.so", false, false, false, 1),
            new ScriptInput("b.so", false, true, false, 1),
            new ScriptInput("c", true, true, false, 1),
            new ScriptInput("d.so", false, true, false, 1),
            new ScriptInput("e.so", false, false, false, 1),
        }));
    }

    [Test]
    public void A_standalone_comma_separates_but_a_trailing_comma_is_part_of_the_name()
    {
        Assert.That(LinkerScriptParser.Parse("GROUP ( a.so , b.so c.so, d.so )").Inputs.Select(i => i.Name),
            Is.EqualTo(new[] { "a.so", "b.so", "c.so,", "d.so" }));
    }

    [Test]
    public void Colon_library_sysroot_prefixes_and_quoted_names_are_kept()
    {
        var script = LinkerScriptParser.Parse("GROUP ( -l:libfoo.so.1 =/usr/lib/x.so $SYSROOT/y.so \"a b.so\" \"-lnot\" )");

        Assert.That(script.Inputs, Is.EqualTo(new[]
        {
            new ScriptInput(":libfoo.so.1", true, false, true, 1),
            new ScriptInput("=/usr/lib/x.so", false, false, true, 1),
            new ScriptInput("$SYSROOT/y.so", false, false, true, 1),
            new ScriptInput("a b.so", false, false, true, 1),
            new ScriptInput("-lnot", false, false, true, 1) { EndsGroup = true },
        }));
    }

    [Test]
    public void A_dash_that_does_not_start_a_library_is_dropped()
    {
        Assert.That(LinkerScriptParser.Parse("GROUP ( -l\"real\" -foo.so - )").Inputs.Select(i => (i.Name, i.IsLibrary)),
            Is.EqualTo(new[] { ("l", false), ("real", false), ("foo.so", false) }));
    }

    [Test]
    public void Search_dirs_output_format_and_ignored_commands_are_read()
    {
        var script = LinkerScriptParser.Parse("""
            OUTPUT_FORMAT("elf64-x86-64", "elf64-big", "elf64-little")
            OUTPUT_FORMAT(elf32-i386)
            OUTPUT_ARCH(i386:x86-64)
            ENTRY(_start)
            SEARCH_DIR("=/usr/local/lib"); SEARCH_DIR(/opt/lib)
            foo = 1;
            SECTIONS { . = 0x1000; foo = 2; }
            # a comment line
            INPUT(x.o) # trailing comment
            """);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(script.Error, Is.Null);
            Assert.That(script.OutputFormat, Is.EqualTo("elf64-x86-64"));
            Assert.That(script.SearchDirs, Is.EqualTo(new[] { "=/usr/local/lib", "/opt/lib" }));
            Assert.That(script.Inputs.Select(i => (i.Name, i.Line)), Is.EqualTo(new[] { ("x.o", 9) }));
        }
    }

    [Test]
    public void Unquoted_output_format_list_without_blanks_is_one_name()
    {
        // ld then looks for a target called "a,b,c" and skips the script as incompatible.
        Assert.That(LinkerScriptParser.Parse("OUTPUT_FORMAT(elf64-x86-64,elf64-x86-64,elf64-x86-64)").OutputFormat,
            Is.EqualTo("elf64-x86-64,elf64-x86-64,elf64-x86-64"));
    }

    [Test]
    public void Unterminated_comment_gives_a_diagnostic()
    {
        var error = LinkerScriptParser.Parse("INPUT(a.so)\n/* never closed\n").Error;

        Assert.That(error, Is.EqualTo(new ScriptDiagnostic(2, "EOF in comment") { Kind = ScriptErrorKind.UnterminatedComment }));
    }

    [Test]
    public void Missing_close_paren_is_a_syntax_error_at_end_of_input()
    {
        var error = LinkerScriptParser.Parse("GROUP ( a.so\n\n").Error;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error?.Message, Is.EqualTo("syntax error"));
            Assert.That(error?.Kind, Is.EqualTo(ScriptErrorKind.SyntaxError));
            Assert.That(error?.AtEndOfInput, Is.True);
        }
    }

    [Test]
    public void Extra_close_paren_is_a_syntax_error_on_its_line()
    {
        Assert.That(LinkerScriptParser.Parse("\nGROUP ( a.so ) )\n").Error,
            Is.EqualTo(new ScriptDiagnostic(2, "syntax error")));
    }

    [Test]
    public void Unterminated_quote_makes_the_file_not_a_script()
    {
        Assert.That(LinkerScriptParser.Parse("GROUP ( \"a.so )\n").Error?.Kind, Is.EqualTo(ScriptErrorKind.NotAScript));
    }

    [TestCase("GROUP ( a.so \u0001 )")]
    [TestCase("GROUP ( a.so ) \u00e9")]
    [TestCase("\u007fELF\u0002\u0001\u0001\0\0\0")]
    [TestCase("GROUP ( a.so *b )")]
    public void Garbage_characters_make_the_file_not_a_script(string text)
    {
        Assert.That(LinkerScriptParser.Parse(text).Error?.Kind, Is.EqualTo(ScriptErrorKind.NotAScript));
    }

    [TestCase("")]
    [TestCase("\n\n")]
    [TestCase("/* only a comment */")]
    public void Empty_scripts_are_fine(string text)
    {
        var script = LinkerScriptParser.Parse(text);

        Assert.That((script.Error, script.Inputs.Count), Is.EqualTo(((ScriptDiagnostic?)null, 0)));
    }

    [Test]
    public void Include_splices_members_at_its_position()
    {
        var files = new Dictionary<string, string> { ["inc.ld"] = "INPUT(b.so)\nSEARCH_DIR(/inc)" };

        var script = LinkerScriptParser.Parse("INPUT(a.so)\nINCLUDE inc.ld\nINPUT(c.so)", files.GetValueOrDefault);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(script.Inputs.Select(i => (i.Name, i.Line)), Is.EqualTo(new[] { ("a.so", 1), ("b.so", 1), ("c.so", 3) }));
            Assert.That(script.SearchDirs, Is.EqualTo(new[] { "/inc" }));
        }
    }

    [Test]
    public void Missing_include_uses_lds_message()
    {
        Assert.That(LinkerScriptParser.Parse("INCLUDE \"nosuch.ld\"").Error,
            Is.EqualTo(new ScriptDiagnostic(1, "cannot open linker script file nosuch.ld: No such file or directory")
            {
                Kind = ScriptErrorKind.IncludeNotFound,
            }));
    }

    [Test]
    public void Self_include_stops_with_nested_too_deeply()
    {
        var script = LinkerScriptParser.Parse("INCLUDE self.ld", _ => "INPUT(x.so) INCLUDE self.ld");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(script.Error?.Kind, Is.EqualTo(ScriptErrorKind.IncludeTooDeep));
            Assert.That(script.Error?.Message, Is.EqualTo("includes nested too deeply"));
            Assert.That(script.Inputs, Has.Count.LessThan(LinkerScriptParser.MaxIncludeDepth));
        }
    }

    [Test]
    public void Error_inside_an_include_names_that_file_and_its_line()
    {
        var error = LinkerScriptParser.Parse("\n\nINCLUDE inc.ld", _ => "\n\nGROUP(a.so) )").Error;

        Assert.That((error?.File, error?.Line), Is.EqualTo(("inc.ld", 3)));
    }

    [Test]
    public void Deep_nesting_does_not_overflow_the_stack()
    {
        string text = "GROUP(" + string.Concat(Enumerable.Repeat("AS_NEEDED(", 200_000)) + "x" + new string(')', 200_001);

        var script = LinkerScriptParser.Parse(text);

        Assert.That((script.Error, script.Inputs.Single().AsNeeded), Is.EqualTo(((ScriptDiagnostic?)null, true)));
    }

    [Test]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1234);
        const string alphabet = "GROUP(INPUT)AS_NEEDED -l\"/*#,;{}\n =x.so\u0001";
        for (int i = 0; i < 2000; i++)
        {
            char[] chars = new char[random.Next(0, 60)];
            for (int j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            Assert.DoesNotThrow(() => LinkerScriptParser.Parse(new string(chars), _ => "INCLUDE x"));
        }
    }

    [TestCase(new byte[] { 0x2f, 0x2a, 0x20, 0x47 }, ExpectedResult = true)]
    [TestCase(new byte[] { 0x7f, 0x45, 0x4c, 0x46, 2, 1 }, ExpectedResult = false)]
    [TestCase(new byte[] { 0x21, 0x3c, 0x61, 0x72, 0x63, 0x68, 0x3e, 0x0a }, ExpectedResult = false)]
    [TestCase(new byte[] { 0x47, 0x52, 0x00, 0x50 }, ExpectedResult = false)]
    public bool LooksLikeText_rejects_elf_archives_and_nul_bytes(byte[] head) => LinkerScriptParser.LooksLikeText(head);
}
