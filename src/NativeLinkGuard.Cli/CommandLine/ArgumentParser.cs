namespace NativeLinkGuard.Cli.CommandLine;

/// <summary>
/// Reads a command's arguments against its option table. Options and arguments may mix; <c>--name=value</c> and
/// <c>--name value</c> both work; <c>--</c> ends the options; <c>-h</c>/<c>--help</c> anywhere before it asks for help.
/// Every mistake is one <see cref="CliUsageException"/>.
/// </summary>
public static class ArgumentParser
{
    public static ParsedArguments Parse(CliCommand command, IReadOnlyList<string> args)
    {
        var parsed = new ParsedArguments();
        int i = 0;
        for (; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") { i++; break; }
            if (a is "-h" or "--help") { parsed.HelpRequested = true; return parsed; }
            if (a.Length < 2 || a[0] != '-')
            {
                // Said at the first one too many: "check gcc -o app" is about gcc (a forgotten --), not about -o.
                if (parsed.Arguments.Count == MaxArguments(command)) throw Unexpected(command, a);
                parsed.Arguments.Add(a);
                continue;
            }

            // "--name=value"; a short option never has an inline value.
            int eq = a.StartsWith("--", StringComparison.Ordinal) ? a.IndexOf('=') : -1;
            string name = eq < 0 ? a : a[..eq];
            var option = command.Find(name)
                ?? throw new CliUsageException($"unknown option '{name}'{PassthroughHint(command)}");
            if (!option.TakesValue)
            {
                if (eq >= 0) throw new CliUsageException($"{option.Name} takes no value");
                parsed.Add(option, null);
                continue;
            }
            string value;
            if (eq >= 0) value = a[(eq + 1)..];
            // A following option or "--" is a forgotten value, not the value ("--format --nested", "--cwd -- gcc");
            // "--x=--y" says otherwise.
            else if (i + 1 < args.Count && !IsOption(command, args[i + 1])) value = args[++i];
            else throw new CliUsageException($"{option.Name} needs a value ({Expected(option)})");
            if (option.Allowed is { } allowed && !allowed.Contains(value, StringComparer.Ordinal))
                throw new CliUsageException($"unknown {option.Name.TrimStart('-')} '{value}' ({Expected(option)})");
            parsed.Add(option, value);
        }

        var rest = args.Skip(i).ToList();
        if (command.Passthrough is null) parsed.Arguments.AddRange(rest);
        else parsed.Passthrough = rest;

        if (parsed.Arguments.Count > MaxArguments(command))
            throw Unexpected(command, parsed.Arguments[MaxArguments(command)]);
        if (parsed.Arguments.Count < command.MinArguments) throw new CliUsageException($"missing {command.Arguments}");
        if (command.Passthrough is not null && rest.Count == 0)
            throw new CliUsageException($"no {Plain(command.Passthrough)} after --");
        return parsed;
    }

    private static bool IsOption(CliCommand command, string token) =>
        token is "--" or "-h" or "--help" || command.Find(token.Split('=', 2)[0]) is not null;

    private static int MaxArguments(CliCommand command) => command.Arguments is null ? 0 : command.MaxArguments;

    private static CliUsageException Unexpected(CliCommand command, string argument) =>
        new($"unexpected argument '{argument}'{PassthroughHint(command)}");

    private static string Expected(CliOption option) =>
        option.Allowed is { } allowed ? OneOf(allowed) : option.ValueName!;

    private static string PassthroughHint(CliCommand command) =>
        command.Passthrough is null ? "" : $" (put the {Plain(command.Passthrough)} after --)";

    private static string Plain(string placeholder) => placeholder.Trim('<', '>');

    /// <summary><c>text, json or sarif</c>.</summary>
    public static string OneOf(IReadOnlyList<string> values) =>
        values.Count == 1 ? values[0] : $"{string.Join(", ", values.Take(values.Count - 1))} or {values[^1]}";
}
