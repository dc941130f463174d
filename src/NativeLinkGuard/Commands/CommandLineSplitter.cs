namespace NativeLinkGuard.Commands;

/// <summary>
/// POSIX-shell-like word splitting of a command string (CMake link.txt, a pasted command line): '…' is literal,
/// "…" honours backslash only before $ ` " \ and newline, a bare backslash quotes the next character and
/// backslash-newline joins lines. No expansion of variables, globs or command substitution.
/// </summary>
public static class CommandLineSplitter
{
    public static IReadOnlyList<string> SplitShell(string command)
    {
        TrySplitShell(command, out var words, out _);
        return words;
    }

    /// <returns>False when the text ends inside a quote; <paramref name="words"/> then holds what was read,
    /// the open word included.</returns>
    public static bool TrySplitShell(string command, out IReadOnlyList<string> words, out string? error)
    {
        ArgumentNullException.ThrowIfNull(command);
        var result = new List<string>();
        var current = new System.Text.StringBuilder();
        bool inWord = false;
        char quote = '\0';
        error = null;
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = '\0'; else current.Append(c);
                continue;
            }

            if (quote == '"')
            {
                if (c == '"')
                {
                    quote = '\0';
                }
                else if (c == '\\' && i + 1 < command.Length && command[i + 1] is '$' or '`' or '"' or '\\' or '\n')
                {
                    i++;
                    if (command[i] != '\n') current.Append(command[i]);
                }
                else
                {
                    current.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        result.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }

                    break;
                case '\\' when i + 1 < command.Length:
                    i++;
                    if (command[i] != '\n')
                    {
                        current.Append(command[i]);
                        inWord = true;
                    }

                    break;
                case '\'' or '"':
                    quote = c;
                    inWord = true;
                    break;
                default:
                    current.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (quote != '\0')
        {
            error = $"unterminated {(quote == '"' ? "double" : "single")} quote";
        }

        if (inWord)
        {
            result.Add(current.ToString());
        }

        words = result;
        return error is null;
    }
}
