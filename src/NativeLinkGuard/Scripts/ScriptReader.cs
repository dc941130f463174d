namespace NativeLinkGuard.Scripts;

/// <summary>
/// Recursive-descent reader for one script text (the main one or an INCLUDEd one). It stops at the first error, as ld
/// does, by throwing <see cref="StopException"/>, which never leaves <see cref="Read"/>. Nesting (AS_NEEDED, braces,
/// parentheses) is tracked with counters, not recursion, so hostile input cannot exhaust the stack.
/// </summary>
internal sealed class ScriptReader
{
    private const string SyntaxError = "syntax error";

    private readonly string _text;
    private readonly string? _fileName;
    private readonly Func<string, string?>? _includeLoader;
    private readonly int _depth;
    private readonly ScriptAccumulator _result;
    private int _pos;
    private int _line = 1;

    public ScriptReader(string text, string? fileName, Func<string, string?>? includeLoader, int depth,
        ScriptAccumulator result)
    {
        _text = text;
        _fileName = fileName;
        _includeLoader = includeLoader;
        _depth = depth;
        _result = result;
    }

    public void Read()
    {
        try
        {
            ReadCommands();
        }
        catch (StopException)
        {
            // The error is already in _result.Error; ld stops reading at the first one too.
        }
    }

    private void ReadCommands()
    {
        while (true)
        {
            SkipTrivia(topLevel: true);
            if (AtEnd)
            {
                return;
            }

            char c = Peek;
            if (c == ';')
            {
                _pos++;
                continue;
            }

            if (!IsWordChar(c))
            {
                throw Fail(IsInvalid(c) ? ScriptErrorKind.NotAScript : ScriptErrorKind.SyntaxError);
            }

            int line = _line;
            string word = ReadWord();
            ReadCommand(word, line);
        }
    }

    private void ReadCommand(string word, int line)
    {
        switch (word)
        {
            case "INPUT":
                ReadInputList(inGroup: false, _result.Inputs.Count);
                break;
            case "GROUP":
                ReadInputList(inGroup: true, _result.Inputs.Count);
                break;
            case "OUTPUT_FORMAT":
                ReadOutputFormat();
                break;
            case "SEARCH_DIR":
                _result.SearchDirs.Add(ReadSingleArgument());
                break;
            case "INCLUDE":
                SkipTrivia(topLevel: false);
                Include(ReadName(), line);
                break;
            case "OUTPUT_ARCH" or "ENTRY" or "TARGET" or "OUTPUT" or "STARTUP":
                ReadSingleArgument();
                break;
            case "EXTERN" or "NOCROSSREFS" or "NOCROSSREFS_TO" or "REGION_ALIAS" or "ASSERT"
                or "PROVIDE" or "PROVIDE_HIDDEN" or "HIDDEN":
                Expect('(');
                SkipBalanced('(', ')');
                break;
            case "SECTIONS" or "MEMORY" or "PHDRS" or "VERSION":
                // A full -T style block: the resolver needs nothing from it, so skip it with balanced braces.
                Expect('{');
                SkipBalanced('{', '}');
                break;
            case "FORCE_COMMON_ALLOCATION" or "INHIBIT_COMMON_ALLOCATION" or "FORCE_GROUP_ALLOCATION":
                break;
            default:
                SkipAssignment();
                break;
        }
    }

    /// <summary>INPUT/GROUP list: names separated by blanks or a
    /// standalone comma, AS_NEEDED nested to any depth.</summary>
    private void ReadInputList(bool inGroup, int first)
    {
        Expect('(');

        // One entry per open parenthesis: whether that level has a member yet (ld's grammar rejects empty lists).
        var levels = new Stack<bool>();
        levels.Push(false);
        bool commaPending = false;
        while (true)
        {
            SkipListTrivia();
            if (AtEnd)
            {
                throw Fail(ScriptErrorKind.SyntaxError);
            }

            char c = Peek;
            if (c == ')')
            {
                if (!levels.Pop() || commaPending)
                {
                    throw Fail(ScriptErrorKind.SyntaxError);
                }

                _pos++;
                if (levels.Count == 0)
                {
                    EndList(inGroup, first);
                    return;
                }

                levels.Push(levels.Pop() | true);
                continue;
            }

            if (c == ',')
            {
                // "a , b" separates; "a,b" is one name and ", ," or a leading comma is a syntax error.
                if (!levels.Peek() || commaPending)
                {
                    throw Fail(ScriptErrorKind.SyntaxError);
                }

                commaPending = true;
                _pos++;
                continue;
            }

            if (c == '-' && !IsLibraryOption())
            {
                // Observed: a '-' that does not begin "-lNAME" is dropped ("-foo" reads as "foo", -l"x" as "l", "x").
                _pos++;
                continue;
            }

            int line = _line;
            bool quoted = c == '"';
            string name = ReadName();
            commaPending = false;
            if (!quoted && name == "AS_NEEDED")
            {
                Expect('(');
                levels.Pop();
                levels.Push(true);
                levels.Push(false);
                continue;
            }

            if (!quoted && name is "INPUT" or "GROUP")
            {
                throw Fail(ScriptErrorKind.SyntaxError);
            }

            bool isLibrary = !quoted && name.StartsWith("-l", StringComparison.Ordinal);
            _result.Inputs.Add(new ScriptInput(isLibrary ? name[2..] : name,
                isLibrary, levels.Count > 1, inGroup, line));
            levels.Pop();
            levels.Push(true);
        }
    }

    /// <summary>A GROUP ends at its last member (ld rescans its archives and checks for missing files there).</summary>
    private void EndList(bool inGroup, int first)
    {
        if (inGroup && _result.Inputs.Count > first)
        {
            _result.Inputs[^1] = _result.Inputs[^1] with { EndsGroup = true };
        }
    }

    /// <summary>OUTPUT_FORMAT(default) or OUTPUT_FORMAT(default, big, little); ld links for the default one.</summary>
    private void ReadOutputFormat()
    {
        Expect('(');
        SkipTrivia(topLevel: false);
        string first = ReadName();
        SkipTrivia(topLevel: false);
        if (!AtEnd && Peek == ',')
        {
            for (int i = 0; i < 2; i++)
            {
                Expect(',');
                SkipTrivia(topLevel: false);
                ReadName();
            }
        }

        Expect(')');
        _result.OutputFormat ??= first;
    }

    private string ReadSingleArgument()
    {
        Expect('(');
        SkipTrivia(topLevel: false);
        string name = ReadName();
        Expect(')');
        return name;
    }

    private void Include(string name, int line)
    {
        if (_depth + 1 >= LinkerScriptParser.MaxIncludeDepth)
        {
            throw Fail(ScriptErrorKind.IncludeTooDeep, "includes nested too deeply", line);
        }

        string? text = null;
        try
        {
            text = _includeLoader?.Invoke(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable counts as not found, as for ld's fopen.
        }

        if (text is null)
        {
            throw Fail(ScriptErrorKind.IncludeNotFound,
                $"cannot open linker script file {name}: No such file or directory", line);
        }

        new ScriptReader(text, name, _includeLoader, _depth + 1, _result).Read();
        if (_result.Error is not null)
        {
            throw new StopException();
        }
    }

    /// <summary>A top-level word that is not a command is a symbol assignment (<c>foo = 1;</c>); skip it.</summary>
    private void SkipAssignment()
    {
        SkipTrivia(topLevel: false);
        if (AtEnd || !IsAssignmentStart(Peek))
        {
            throw Fail(ScriptErrorKind.SyntaxError);
        }

        while (true)
        {
            SkipTrivia(topLevel: false);
            if (AtEnd)
            {
                throw Fail(ScriptErrorKind.SyntaxError);
            }

            char c = Peek;
            if (IsInvalid(c))
            {
                throw Fail(ScriptErrorKind.NotAScript);
            }

            _pos++;
            if (c == ';')
            {
                return;
            }
        }
    }

    /// <summary>Skips to the bracket matching the one just read, through comments and quoted strings.</summary>
    private void SkipBalanced(char open, char close)
    {
        int depth = 1;
        while (true)
        {
            SkipTrivia(topLevel: false);
            if (AtEnd)
            {
                throw Fail(ScriptErrorKind.SyntaxError);
            }

            char c = Peek;
            if (c == '"')
            {
                ReadQuoted();
                continue;
            }

            // Observed: ld rejects "SECTIONS { .text : { *(.text) } }" in an implicit script as not a script at all.
            if (IsInvalid(c) || (open == '{' && c == '*'))
            {
                throw Fail(ScriptErrorKind.NotAScript);
            }

            _pos++;
            if (c == open)
            {
                depth++;
            }
            else if (c == close && --depth == 0)
            {
                return;
            }
        }
    }

    private string ReadName()
    {
        if (AtEnd)
        {
            throw Fail(ScriptErrorKind.SyntaxError);
        }

        char c = Peek;
        if (c == '"')
        {
            return ReadQuoted();
        }

        if (!IsNameStart(c))
        {
            throw Fail(IsInvalid(c) || c is '*' or '@' ? ScriptErrorKind.NotAScript : ScriptErrorKind.SyntaxError);
        }

        int start = _pos;
        while (!AtEnd && IsNameChar(Peek))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private bool IsLibraryOption() =>
        _pos + 2 < _text.Length && _text[_pos + 1] == 'l' && IsNameChar(_text[_pos + 2]);

    private string ReadQuoted()
    {
        int startLine = _line;
        int start = ++_pos;
        int end = _text.IndexOf('"', start);
        if (end < 0)
        {
            // Observed: ld treats an unterminated quote as "file format not recognized".
            _pos = _text.Length;
            throw Fail(ScriptErrorKind.NotAScript, line: startLine);
        }

        for (int i = start; i < end; i++)
        {
            if (_text[i] == '\n')
            {
                _line++;
            }
        }

        _pos = end + 1;
        return _text[start..end];
    }

    private string ReadWord()
    {
        int start = _pos;
        while (!AtEnd && IsWordChar(Peek))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private void Expect(char c)
    {
        SkipTrivia(topLevel: false);
        if (AtEnd || Peek != c)
        {
            throw Fail(!AtEnd && IsInvalid(Peek) ? ScriptErrorKind.NotAScript : ScriptErrorKind.SyntaxError);
        }

        _pos++;
    }

    /// <summary>Inside INPUT/GROUP ld's lexer drops these characters
    /// (flex echoes them to stdout) and goes on.</summary>
    private void SkipListTrivia()
    {
        while (true)
        {
            SkipTrivia(topLevel: false);
            if (AtEnd || Peek is not (';' or '#' or '{' or '}'))
            {
                return;
            }

            _pos++;
        }
    }

    /// <summary>Blanks and C comments; at top level ld also ignores '#' to the end of the line (observed).</summary>
    private void SkipTrivia(bool topLevel)
    {
        while (!AtEnd)
        {
            char c = Peek;
            if (c == '\n')
            {
                _line++;
                _pos++;
            }
            else if (c is ' ' or '\t' or '\r' or '\f' or '\v')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                SkipComment();
            }
            else if (topLevel && c == '#')
            {
                int eol = _text.IndexOf('\n', _pos);
                _pos = eol < 0 ? _text.Length : eol;
            }
            else
            {
                return;
            }
        }
    }

    private void SkipComment()
    {
        int startLine = _line;
        int end = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
        int stop = end < 0 ? _text.Length : end + 2;
        for (int i = _pos; i < stop; i++)
        {
            if (_text[i] == '\n')
            {
                _line++;
            }
        }

        _pos = stop;
        if (end < 0)
        {
            throw Fail(ScriptErrorKind.UnterminatedComment, "EOF in comment", startLine);
        }
    }

    private StopException Fail(ScriptErrorKind kind, string? message = null, int? line = null)
    {
        message ??= kind == ScriptErrorKind.NotAScript ? "file format not recognized" : SyntaxError;
        _result.Error ??= new ScriptDiagnostic(line ?? _line, message)
        {
            Kind = kind,
            File = _fileName,
            AtEndOfInput = line is null && AtEnd,
        };
        return new StopException();
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek => _text[_pos];

    /// <summary>ld's FILENAMECHAR set (ldlex.l); a name may not start with a comma.</summary>
    private static bool IsNameChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '_' or '/' or '.' or '\\' or '+' or '$' or ':' or '[' or ']'
            or ',' or '=' or '&' or '!' or '<' or '>' or '-' or '~';

    private static bool IsNameStart(char c) => c != ',' && IsNameChar(c);

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '$';

    private static bool IsAssignmentStart(char c) => c is '=' or '+' or '-' or '*' or '/' or '<' or '>' or '&' or '|';

    /// <summary>Characters no ld lexer state accepts: control
    /// bytes other than blanks, and anything non-ASCII.</summary>
    private static bool IsInvalid(char c) => c > '\u007e'
        || (c < ' ' && c is not ('\t' or '\n' or '\r' or '\f' or '\v'));

    private sealed class StopException : Exception;
}
