namespace NativeLinkGuard.Scripts;

/// <summary>
/// lld 14's words for a text file that is no script ld can read: lld's own lexer and parser (ScriptLexer.cpp,
/// ScriptParser::readLinkerScript) stop at the first top-level token that is no directive and starts no assignment,
/// with <c>FILE:LINE: unknown directive: TOKEN</c>. Only that first-token case is worded; any other error lld words
/// its own way, which is not modelled (null).
/// </summary>
public static class LldScriptError
{
    private static readonly HashSet<string> Directives =
    [
        ";", "ENTRY", "EXTERN", "GROUP", "INCLUDE", "INPUT", "MEMORY", "OUTPUT", "OUTPUT_ARCH", "OUTPUT_FORMAT",
        "OVERWRITE_SECTIONS", "PHDRS", "REGION_ALIAS", "SEARCH_DIR", "SECTIONS", "TARGET", "VERSION", "ASSERT",
        "PROVIDE", "HIDDEN", "PROVIDE_HIDDEN",
    ];

    // ScriptLexer::tokenize: a bare word is a run of these; any other character is a token of its own.
    private const string WordChars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.$/\\~=+[]*?-!^:";

    /// <summary>(line, message) for a script whose first token lld rejects; null when lld would word it otherwise
    /// (or accept it).</summary>
    public static (int Line, string Message)? FirstDirective(string text)
    {
        var (first, line, rest) = NextToken(text, 0, 1);
        if (first is null || Directives.Contains(first)) return null;
        var (second, _, _) = NextToken(text, rest, line);
        if (second is "=" or "+=") return null;
        return (line, $"unknown directive: {first}");
    }

    private static (string? Token, int Line, int End) NextToken(string s, int i, int line)
    {
        while (i < s.Length)
        {
            if (s[i] == '\n') { line++; i++; }
            else if (char.IsWhiteSpace(s[i])) i++;
            else if (string.CompareOrdinal(s, i, "/*", 0, 2) == 0)
            {
                int end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) return (null, line, s.Length);
                line += s.AsSpan(i, end - i).Count('\n');
                i = end + 2;
            }
            else if (s[i] == '#')
            {
                int end = s.IndexOf('\n', i);
                i = end < 0 ? s.Length : end;
            }
            else break;
        }
        if (i >= s.Length) return (null, line, i);
        // A quoted token is not modelled (lld reports it with its quotes).
        if (s[i] == '"') return ("\"", line, i + 1);
        int j = i;
        while (j < s.Length && WordChars.Contains(s[j])) j++;
        if (j == i) j = i + 1;
        return (s[i..j], line, j);
    }
}
