namespace NativeLinkGuard.Commands;

/// <summary>
/// gcc's and ld's <c>@file</c> handling (libiberty <c>expandargv</c>/<c>buildargv</c>). Checked against gcc 12 and
/// ld 2.40: a nested @file is relative to the working directory, not to the file that names it; an @file that cannot
/// be opened stays a literal argument.
/// </summary>
public static class ResponseFiles
{
    /// <summary>libiberty gives up after this many expansions ("too many @-files encountered"), so a self-including
    /// @file ends the expansion instead of looping.</summary>
    internal const int MaxExpansions = 2000;

    /// <summary>Our own bounds, so a hostile file cannot exhaust memory.</summary>
    internal const long MaxFileBytes = 16L * 1024 * 1024;

    internal const int MaxArguments = 1_000_000;

    public static IReadOnlyList<string> Expand(
        IReadOnlyList<string> args, string workingDirectory, List<ResponseFileDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var result = new List<string>(args);
        int expansions = 0;

        // Like expandargv, splice each file's arguments in place and rescan them, so nested @files expand too.
        for (int i = 0; i < result.Count; i++)
        {
            string arg = result[i];
            if (arg.Length < 2 || arg[0] != '@')
            {
                continue;
            }

            string name = arg[1..];
            if (expansions >= MaxExpansions)
            {
                diagnostics.Add(new ResponseFileDiagnostic(name, "too many @-files encountered"));
                break;
            }

            string? text = TryRead(name, workingDirectory, diagnostics);
            if (text is null)
            {
                continue;
            }

            expansions++;
            var inner = Split(text);
            if (result.Count - 1 + inner.Count > MaxArguments)
            {
                diagnostics.Add(
                    new ResponseFileDiagnostic(name, $"more than {MaxArguments} arguments; expansion stopped"));
                break;
            }

            result.RemoveAt(i);
            result.InsertRange(i, inner);
            i--;
        }

        return result;
    }

    /// <summary>
    /// libiberty <c>buildargv</c>: blanks separate; '…' and "…" quote; a backslash takes the next character literally,
    /// inside quotes too. An unterminated quote runs to the end of the text (newlines included), which is what gcc and
    /// ld do. Only blanks gives no arguments (expandargv's special case).
    /// </summary>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        int i = 0;
        while (true)
        {
            while (i < text.Length && IsSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return args;
            }

            bool squote = false, dquote = false, backslash = false;
            current.Clear();
            for (; i < text.Length; i++)
            {
                char c = text[i];
                if (IsSpace(c) && !squote && !dquote && !backslash)
                {
                    break;
                }

                if (backslash)
                {
                    backslash = false;
                    current.Append(c);
                }
                else if (c == '\\')
                {
                    backslash = true;
                }
                else if (squote)
                {
                    if (c == '\'') squote = false; else current.Append(c);
                }
                else if (dquote)
                {
                    if (c == '"') dquote = false; else current.Append(c);
                }
                else if (c == '\'')
                {
                    squote = true;
                }
                else if (c == '"')
                {
                    dquote = true;
                }
                else
                {
                    current.Append(c);
                }
            }

            args.Add(current.ToString());
        }
    }

    private static string? TryRead(string name, string workingDirectory, List<ResponseFileDiagnostic> diagnostics)
    {
        try
        {
            string path = Path.Combine(workingDirectory, name);
            if (Directory.Exists(path))
            {
                // gcc and ld stop with this error; we report it and keep the argument.
                diagnostics.Add(new ResponseFileDiagnostic(name, "@-file refers to a directory"));
                return null;
            }

            if (!File.Exists(path))
            {
                return null;
            }

            if (new FileInfo(path).Length > MaxFileBytes)
            {
                diagnostics.Add(new ResponseFileDiagnostic(name, $"larger than {MaxFileBytes} bytes; not expanded"));
                return null;
            }

            return BoundedText.Read(path, (int)MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException)
        {
            // libiberty leaves an @file it cannot open as a literal argument; the later "not found" says the rest.
            return null;
        }
    }

    /// <summary>C isspace in the C locale, as libiberty's ISSPACE.</summary>
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
