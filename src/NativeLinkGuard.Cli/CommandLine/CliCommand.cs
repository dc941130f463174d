namespace NativeLinkGuard.Cli.CommandLine;

/// <summary>
/// One command of <c>nativelinkguard</c>: its options, its arguments and what runs it. The parser, <c>--help</c> and
/// the error messages are all made from this table, so they cannot disagree.
/// </summary>
public sealed record CliCommand(string Name, string Summary, IReadOnlyList<CliOption> Options, CliCommand.Handler Run)
{
    public delegate int Handler(ParsedArguments args, TextWriter stdout, TextWriter stderr);

    /// <summary>How <c>--help</c> names the positional arguments (<c>&lt;dir&gt;...</c>); null: none.</summary>
    public string? Arguments { get; init; }

    public int MinArguments { get; init; }

    /// <summary>At most this many positional arguments (none at all when <see cref="Arguments"/> is null).</summary>
    public int MaxArguments { get; init; } = int.MaxValue;

    /// <summary>
    /// What follows <c>--</c> and is passed through untouched (check's link command), required when set. When null,
    /// <c>--</c> only ends the options: what follows is positional arguments, even if it starts with a dash.
    /// </summary>
    public string? Passthrough { get; init; }

    /// <summary>More paragraphs for <c>--help</c>, after the options (exit codes, notes).</summary>
    public string Details { get; init; } = "";

    /// <summary><c>nativelinkguard check [options] -- &lt;link command&gt;</c>.</summary>
    public string Synopsis =>
        $"nativelinkguard {Name} [options]{(Arguments is null ? "" : " " + Arguments)}"
        + (Passthrough is null ? "" : $" -- {Passthrough}");

    public CliOption? Find(string token) => Options.FirstOrDefault(o => o.IsSpelled(token));
}
