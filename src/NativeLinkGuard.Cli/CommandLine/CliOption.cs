namespace NativeLinkGuard.Cli.CommandLine;

/// <summary>One option of a command, as the parser accepts it and as <c>--help</c> describes it.</summary>
/// <param name="Name">The long name, with its dashes (<c>--format</c>); the key of its value.</param>
/// <param name="Help">One line for <c>--help</c>.</param>
public sealed record CliOption(string Name, string Help)
{
    /// <summary>A second spelling (<c>-v</c>), or null.</summary>
    public string? Alias { get; init; }

    /// <summary>What <c>--help</c> calls the value (DIR, PATH); null for a flag.</summary>
    public string? ValueName { get; init; }

    /// <summary>Each occurrence adds a value; otherwise the last one wins (as getopt does).</summary>
    public bool Repeatable { get; init; }

    /// <summary>The only values accepted, or null when any value is.</summary>
    public IReadOnlyList<string>? Allowed { get; init; }

    public bool TakesValue => ValueName is not null || Allowed is not null;

    public bool IsSpelled(string token) => token == Name || token == Alias;

    /// <summary>The left column of <c>--help</c>: <c>-v, --verbose</c>, <c>--format text|json</c>.</summary>
    public string Spelling
    {
        get
        {
            string name = Alias is null ? Name : $"{Alias}, {Name}";
            if (!TakesValue) return name;
            return $"{name} {(Allowed is null ? ValueName : string.Join('|', Allowed))}";
        }
    }

    /// <summary>The usual <c>--format</c>; text is the default.</summary>
    public static CliOption Format(params string[] formats) =>
        new("--format", "report format (default text; json: docs/json-schema.md, sarif: SARIF 2.1.0)")
        {
            Allowed = formats,
        };

    /// <summary>The usual <c>--hint-dir DIR</c>, repeatable.</summary>
    public static CliOption HintDir { get; } =
        new("--hint-dir", "also look for missing libraries in DIR when suggesting fixes")
        {
            ValueName = "DIR",
            Repeatable = true,
        };

    /// <summary><c>--ld-library-path PATH</c> of the runtime checks: the deployment's, not the build's.</summary>
    public static CliOption LdLibraryPath { get; } =
        new("--ld-library-path", "the deployment's LD_LIBRARY_PATH (\"\" = none; default: the environment's)")
        {
            ValueName = "PATH",
        };

    /// <summary><c>--sysroot DIR</c> of the runtime checks: the deployment machine modelled inside DIR.</summary>
    public static CliOption DeploymentSysroot { get; } =
        new("--sysroot", "model the deployment inside DIR (its ld.so.cache or ld.so.conf, its system dirs)")
        {
            ValueName = "DIR",
        };

    /// <summary>The usual <c>-v, --verbose</c>.</summary>
    public static CliOption Verbose(string help) => new("--verbose", help) { Alias = "-v" };
}
