using System.Text.RegularExpressions;

namespace NativeLinkGuard.Tests.Style;

/// <summary>
/// The two house-style limits Roslyn does not check: line length and method length. Methods are found from the layout
/// the code uses (Allman braces, four-space indentation): a member starts on a line at a type's member indentation
/// and ends at the closing brace at that indentation, or, expression-bodied, before the next line at that indentation.
/// </summary>
internal static partial class SourceLayout
{
    public const int MaxLineLength = 120;
    public const int MaxMethodLines = 80;

    /// <summary>"file:line: N characters" for every line over <see cref="MaxLineLength"/>.</summary>
    public static IEnumerable<string> LongLines(string displayPath, string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Length > MaxLineLength)
                yield return $"{displayPath}:{i + 1}: {lines[i].Length} characters";
    }

    /// <summary>Methods, constructors and operators with their first line (1-based) and length in lines.</summary>
    public static IEnumerable<(string Name, int Line, int Length)> Methods(string[] lines)
    {
        var memberIndents = new HashSet<int>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (TypeDeclaration().IsMatch(lines[i]))
            {
                memberIndents.Add(Indent(lines[i]) + 4);
                continue;
            }
            int indent = Indent(lines[i]);
            string text = lines[i].Trim();
            if (!memberIndents.Contains(indent) || text.Length == 0 || text[0] is '/' or '[' or '{' or '}' or '#')
                continue;
            int end = MemberEnd(lines, i, indent, out string head);
            if (MethodName(head) is { } name) yield return (name, i + 1, end - i + 1);
            i = end;
        }
    }

    /// <summary>The last line of the member that starts at <paramref name="start"/>; its text up to the body.</summary>
    private static int MemberEnd(string[] lines, int start, int indent, out string head)
    {
        var declaration = new List<string> { lines[start].Trim() };
        int last = start;
        bool inHead = true;
        for (int j = start + 1; j < lines.Length; j++)
        {
            string text = lines[j].Trim();
            if (text.Length == 0) continue;
            int at = Indent(lines[j]);
            if (at == indent && text == "{")
            {
                for (int k = j + 1; k < lines.Length; k++)
                    if (Indent(lines[k]) == indent && lines[k].Trim().StartsWith('}'))
                    {
                        head = string.Join(' ', declaration);
                        return k;
                    }
                head = string.Join(' ', declaration);
                return lines.Length - 1;
            }
            if (at <= indent) break;
            if (inHead && (text.StartsWith("=>", StringComparison.Ordinal) || text.StartsWith('{'))) inHead = false;
            if (inHead) declaration.Add(text);
            last = j;
        }
        head = string.Join(' ', declaration);
        return last;
    }

    /// <summary>The name when the declaration is a method, constructor or operator (a parenthesis before any body
    /// or initializer); null for fields, properties, events and enum members.</summary>
    private static string? MethodName(string head)
    {
        int body = head.Length;
        foreach (string marker in new[] { "=>", " = ", "{" })
        {
            int at = head.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0 && at < body) body = at;
        }
        int paren = head.IndexOf('(');
        if (paren < 0 || paren > body) return null;
        var name = NameBeforeParenthesis().Match(head[..paren]);
        return name.Success ? name.Groups[1].Value : head[..paren];
    }

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    private const string Modifiers =
        "public|internal|private|protected|file|sealed|static|abstract|partial|readonly|ref|unsafe|new";

    [GeneratedRegex(@"^\s*((" + Modifiers + @")\s+)*(class|struct|interface|enum|record(\s+(class|struct))?)\s+\w")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"([\w.]+)(<[^()]*>)?\s*$")]
    private static partial Regex NameBeforeParenthesis();
}
