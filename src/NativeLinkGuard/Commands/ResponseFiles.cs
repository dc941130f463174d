using System.Text;

namespace NativeLinkGuard.Commands;

public sealed record ResponseFileDiagnostic(string File, string Message);

/// <summary>
/// libiberty's expandargv, as gcc and ld apply it: <c>@FILE</c> is replaced by the arguments in FILE (buildargv
/// quoting), nested files are expanded in turn (relative to the working directory), and an unreadable FILE stays
/// as the literal argument.
/// </summary>
public static class ResponseFiles
{
    /// <summary>libiberty gives up after 2000 expansions ("@file: too many response files"); so do we, with a diagnostic.</summary>
    public const int MaxExpansions = 2000;
    private const int MaxFileBytes = 16 << 20;

    public static IReadOnlyList<string> Expand(IReadOnlyList<string> args, string workingDirectory, List<ResponseFileDiagnostic> diagnostics)
    {
        var result = new List<string>(args);
        int expansions = 0;
        for (int i = 0; i < result.Count; i++)
        {
            string a = result[i];
            if (a.Length < 2 || a[0] != '@') continue;
            string file = a[1..];
            string path = Path.IsPathRooted(file) ? file : Path.Combine(workingDirectory, file);
            string text;
            try
            {
                if (!File.Exists(path)) continue;
                var info = new FileInfo(path);
                if (info.Length > MaxFileBytes)
                {
                    diagnostics.Add(new ResponseFileDiagnostic(file, $"larger than {MaxFileBytes} bytes; left unexpanded"));
                    continue;
                }
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // libiberty leaves an unreadable @file as it is
            }
            if (++expansions > MaxExpansions)
            {
                diagnostics.Add(new ResponseFileDiagnostic(file, "too many response files (does one include itself?); expansion stopped"));
                break;
            }
            var inner = Split(text, out string? error);
            if (error is not null) diagnostics.Add(new ResponseFileDiagnostic(file, error));
            result.RemoveAt(i);
            result.InsertRange(i, inner);
            i--; // rescan: the file's own @files are expanded next
        }
        return result;
    }

    public static IReadOnlyList<string> Split(string text) => Split(text, out _);

    /// <summary>buildargv: blanks separate; '…' and "…" quote; a backslash escapes the next character.</summary>
    public static List<string> Split(string text, out string? error)
    {
        error = null;
        var args = new List<string>();
        var cur = new StringBuilder();
        bool any = false;
        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length) { cur.Append(text[++i]); any = true; continue; }
            if (quote != '\0')
            {
                if (c == quote) quote = '\0'; else cur.Append(c);
                continue;
            }
            if (c is '\'' or '"') { quote = c; any = true; continue; }
            if (char.IsWhiteSpace(c))
            {
                if (any) { args.Add(cur.ToString()); cur.Clear(); any = false; }
                continue;
            }
            cur.Append(c);
            any = true;
        }
        if (quote != '\0') error = $"unterminated {quote} quote; the rest of the file is one argument";
        if (any) args.Add(cur.ToString());
        return args;
    }
}
