namespace NativeLinkGuard.Cli.CommandLine;

/// <summary>What the parser read for one command, by option name.</summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Arguments { get; } = [];

    /// <summary>What followed <c>--</c> for a command with a passthrough; empty otherwise.</summary>
    public IReadOnlyList<string> Passthrough { get; internal set; } = [];

    public bool HelpRequested { get; internal set; }

    internal void Add(CliOption option, string? value)
    {
        if (value is null) { _flags.Add(option.Name); return; }
        if (!_values.TryGetValue(option.Name, out var list)) _values[option.Name] = list = [];
        if (!option.Repeatable) list.Clear();
        list.Add(value);
    }

    public bool Has(string name) => _flags.Contains(name) || _values.ContainsKey(name);

    /// <summary>The value of a single-valued option, or <paramref name="fallback"/> when it was not given.</summary>
    public string? Value(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var v) ? v[^1] : fallback;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : [];
}
