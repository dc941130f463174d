namespace NativeLinkGuard.Scripts;

/// <summary>
/// Reads GNU ld scripts as they appear in place of libraries (libc.so, libgcc_s.so, conda sysroots): INPUT, GROUP,
/// AS_NEEDED, -l names, OUTPUT_FORMAT, SEARCH_DIR, INCLUDE. Other commands are skipped with balanced brackets.
/// Never throws: the first problem is returned as <see cref="LinkerScript.Error"/>, as ld stops at a syntax error.
/// </summary>
public static class LinkerScriptParser
{
    private const int MaxIncludeDepth = 16;

    public static LinkerScript Parse(string text, Func<string, string?>? includeLoader = null) =>
        Parse(text, includeLoader, 0);

    /// <summary>ld reads a file that is neither ELF nor an archive as a script; real scripts are text.</summary>
    public static bool LooksLikeText(ReadOnlySpan<byte> head) => head.IndexOf((byte)0) < 0;

    private static LinkerScript Parse(string text, Func<string, string?>? includeLoader, int depth)
    {
        var tokens = ScriptTokenizer.Tokenize(text, out var lexError);
        var p = new State(tokens, includeLoader, depth);
        if (lexError is null) p.Run();
        return new LinkerScript(p.Inputs, p.SearchDirs, p.OutputFormat, lexError ?? p.Error);
    }

    private sealed class State(List<ScriptToken> t, Func<string, string?>? includeLoader, int depth)
    {
        private int _i;
        public List<ScriptInput> Inputs { get; } = [];
        public List<string> SearchDirs { get; } = [];
        public string? OutputFormat { get; private set; }
        public ScriptDiagnostic? Error { get; private set; }

        private int Line => _i < t.Count ? t[_i].Line : (t.Count > 0 ? t[^1].Line : 1);

        public void Run()
        {
            while (_i < t.Count && Error is null)
            {
                var tok = t[_i++];
                string cmd = tok.Quoted ? "" : tok.Text;
                switch (cmd)
                {
                    case "INPUT" or "GROUP":
                        if (Expect("(")) List(inGroup: cmd == "GROUP", asNeeded: false);
                        break;
                    case "OUTPUT_FORMAT":
                        if (Expect("(")) { var args = Arguments(); OutputFormat ??= args.FirstOrDefault(); }
                        break;
                    case "SEARCH_DIR":
                        if (Expect("(")) SearchDirs.AddRange(Arguments());
                        break;
                    case "INCLUDE":
                        Include();
                        break;
                    case ";":
                        break;
                    default:
                        SkipStatement(tok);
                        break;
                }
            }
        }

        private bool Expect(string s)
        {
            if (_i < t.Count && t[_i].Is(s)) { _i++; return true; }
            Error = new ScriptDiagnostic(Line, "syntax error");
            return false;
        }

        /// <summary>Names inside INPUT/GROUP/AS_NEEDED, separated by blanks or commas, up to the closing parenthesis.</summary>
        private void List(bool inGroup, bool asNeeded)
        {
            while (_i < t.Count)
            {
                var tok = t[_i++];
                if (tok.Is(")")) return;
                if (tok.Is(",")) continue;
                if (tok.Is("AS_NEEDED"))
                {
                    if (!Expect("(")) return;
                    List(inGroup, asNeeded: true);
                    if (Error is not null) return;
                    continue;
                }
                if (!tok.Quoted && tok.Text.Length == 1 && "(){};=".Contains(tok.Text[0]))
                {
                    Error = new ScriptDiagnostic(tok.Line, "syntax error");
                    return;
                }
                bool lib = !tok.Quoted && tok.Text.StartsWith("-l", StringComparison.Ordinal) && tok.Text.Length > 2;
                Inputs.Add(new ScriptInput(lib ? tok.Text[2..] : tok.Text, lib, asNeeded, inGroup, tok.Line));
            }
            Error = new ScriptDiagnostic(Line, "syntax error (missing ')')");
        }

        private List<string> Arguments()
        {
            var args = new List<string>();
            while (_i < t.Count)
            {
                var tok = t[_i++];
                if (tok.Is(")")) return args;
                if (!tok.Is(",")) args.Add(tok.Text);
            }
            Error = new ScriptDiagnostic(Line, "syntax error (missing ')')");
            return args;
        }

        private void Include()
        {
            if (_i >= t.Count) { Error = new ScriptDiagnostic(Line, "syntax error"); return; }
            var name = t[_i++];
            if (depth >= MaxIncludeDepth) { Error = new ScriptDiagnostic(name.Line, $"INCLUDE nested more than {MaxIncludeDepth} deep (a loop?)"); return; }
            string? text = includeLoader?.Invoke(name.Text);
            if (text is null) { Error = new ScriptDiagnostic(name.Line, $"cannot open linker script file {name.Text}"); return; }
            var inner = Parse(text, includeLoader, depth + 1);
            Inputs.AddRange(inner.Inputs);
            SearchDirs.AddRange(inner.SearchDirs);
            OutputFormat ??= inner.OutputFormat;
            if (inner.Error is { } e) Error = e with { Message = $"{name.Text}:{e.Line}: {e.Message}" };
        }

        /// <summary>Unknown commands (OUTPUT_ARCH(...), SECTIONS { ... }, x = y;) are skipped, brackets balanced.</summary>
        private void SkipStatement(ScriptToken first)
        {
            if (first.Is(")") || first.Is("}") || first.Is(",")) { Error = new ScriptDiagnostic(first.Line, "syntax error"); return; }
            int depthCount = 0;
            while (_i < t.Count)
            {
                var tok = t[_i];
                if (tok.Is("(") || tok.Is("{")) depthCount++;
                else if (tok.Is(")") || tok.Is("}"))
                {
                    depthCount--;
                    if (depthCount < 0) { Error = new ScriptDiagnostic(tok.Line, "syntax error"); return; }
                    if (depthCount == 0) { _i++; return; }
                }
                else if (depthCount == 0 && (tok.Is(";") || !tok.Quoted && tok.Text is "INPUT" or "GROUP" or "OUTPUT_FORMAT" or "SEARCH_DIR" or "INCLUDE"))
                {
                    if (tok.Is(";")) _i++;
                    return;
                }
                _i++;
            }
            if (depthCount > 0) Error = new ScriptDiagnostic(Line, "syntax error (unbalanced brackets)");
        }
    }
}
