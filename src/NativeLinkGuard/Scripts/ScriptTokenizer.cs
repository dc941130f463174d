using System.Text;

namespace NativeLinkGuard.Scripts;

internal readonly record struct ScriptToken(string Text, bool Quoted, int Line)
{
    public bool Is(string s) => !Quoted && Text == s;
}

/// <summary>ld script lexing for the commands libraries use: names, quoted names, punctuation, C comments.</summary>
internal static class ScriptTokenizer
{
    private const string Punctuation = "(){};,=";

    public static List<ScriptToken> Tokenize(string text, out ScriptDiagnostic? error)
    {
        error = null;
        var tokens = new List<ScriptToken>();
        int line = 1, i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int start = line;
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) { error = new ScriptDiagnostic(start, "unterminated comment"); return tokens; }
                line += Count(text, i, end, '\n');
                i = end + 2;
                continue;
            }
            if (c == '"')
            {
                int end = text.IndexOf('"', i + 1);
                if (end < 0) { error = new ScriptDiagnostic(line, "unterminated string"); return tokens; }
                tokens.Add(new ScriptToken(text[(i + 1)..end], true, line));
                line += Count(text, i, end, '\n');
                i = end + 1;
                continue;
            }
            if (Punctuation.Contains(c)) { tokens.Add(new ScriptToken(c.ToString(), false, line)); i++; continue; }
            if (char.IsControl(c)) { error = new ScriptDiagnostic(line, "syntax error"); return tokens; }
            var sb = new StringBuilder();
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && !Punctuation.Contains(text[i]) && text[i] != '"'
                   && !(text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*'))
                sb.Append(text[i++]);
            tokens.Add(new ScriptToken(sb.ToString(), false, line));
        }
        return tokens;
    }

    private static int Count(string s, int from, int to, char c)
    {
        int n = 0;
        for (int k = from; k < to; k++) if (s[k] == c) n++;
        return n;
    }
}
