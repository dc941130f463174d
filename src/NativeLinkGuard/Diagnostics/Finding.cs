namespace NativeLinkGuard.Diagnostics;

public enum Severity { Error, Warning, Info }

public enum SuggestionQuality { Proper, Workaround }

/// <summary>One directory ld searched, the rule that put it there, and what it held.</summary>
public sealed record SearchedDirectory(string Directory, string Rule, string Result);

/// <summary>A file-system step a suggestion needs; paths are absolute. Never inside a system directory.</summary>
public sealed record FileOperation(
    string Kind, string? Path = null, string? Target = null, string? Source = null, string? Destination = null)
{
    public static FileOperation Mkdir(string path) => new("mkdir", Path: path);
    public static FileOperation Symlink(string path, string target) => new("symlink", Path: path, Target: target);
    public static FileOperation Copy(string source, string destination) =>
        new("copy", Source: source, Destination: destination);

    public string ToShell() => Kind switch
    {
        "mkdir" => $"mkdir -p {ShellQuote.Quote(Path!)}",
        "symlink" => $"ln -sfn {ShellQuote.Quote(Target!)} {ShellQuote.Quote(Path!)}",
        "copy" => $"cp -a {ShellQuote.Quote(Source!)} {ShellQuote.Quote(Destination!)}",
        _ => Kind,
    };
}

/// <summary>A concrete fix, rendered for the checked command, CMake and LDFLAGS.</summary>
public sealed record Suggestion(
    SuggestionQuality Quality,
    string Summary,
    IReadOnlyList<string> Flags,
    string Why,
    IReadOnlyDictionary<string, string>? Environment = null,
    IReadOnlyList<FileOperation>? FileOperations = null,
    string? CMake = null,
    string? LdFlags = null)
{
    /// <summary>
    /// The resolver was re-run with this fix applied (flags, environment, file operations simulated) and the finding
    /// went away.
    /// </summary>
    public bool Verified { get; init; }

    /// <summary>Shell commands, in a safe order, meant to run in the audited directory.</summary>
    public IReadOnlyList<string>? Commands { get; init; }
}

/// <summary>
/// A coded finding (stable codes: docs/codes.md). Built with an object initializer: the code, severity, message and
/// ld's own line are required, everything else is named where it is set.
/// </summary>
public sealed record Finding
{
    public required string Code { get; init; }

    public required Severity Severity { get; init; }

    public required string Message { get; init; }

    /// <summary>The line GNU ld (or ld.so) prints for this, after its "ld: " prefix; "" where the tool says
    /// nothing.</summary>
    public required string LdMessage { get; init; }

    /// <summary>The library concerned ("" when none).</summary>
    public string Library { get; init; } = "";

    public string? NeededBy { get; init; }

    public IReadOnlyList<string> Chain { get; init; } = [];

    public IReadOnlyList<SearchedDirectory> Searched { get; init; } = [];

    public IReadOnlyList<Suggestion> Suggestions { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Where in the build's own code the user fixes it (a CMakeLists.txt line), when known.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>Symbol-level findings: the symbols concerned, as ld names them (<c>f</c> or <c>f@V</c>).</summary>
    public IReadOnlyList<string>? Symbols { get; init; }

    /// <summary>NLG0007: the version a reference needs.</summary>
    public string? NeededVersion { get; init; }

    /// <summary>NLG0007: the versions the library that defines the symbol provides.</summary>
    public IReadOnlyList<string>? ProvidedVersions { get; init; }

    public string HelpLink => DiagnosticCodes.HelpLink(Code);

    /// <summary>
    /// NLG9001: the check itself could not run (one warning; the build goes on). The linker was
    /// never reached, so there is no line it would say.
    /// </summary>
    public static Finding CheckFailed(string message) => new()
    {
        Code = DiagnosticCodes.CheckFailed, Severity = Severity.Warning, Message = message, LdMessage = "",
    };
}
