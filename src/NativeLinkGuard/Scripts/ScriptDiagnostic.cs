namespace NativeLinkGuard.Scripts;

/// <summary>Why ld rejects a script; each maps to a different ld message.</summary>
public enum ScriptErrorKind
{
    /// <summary>ld: <c>FILE:LINE: syntax error</c> (after <c>file
    /// format not recognized; treating as linker script</c>).</summary>
    SyntaxError,

    /// <summary>ld: <c>EOF in comment</c> (no file or line in ld's message).</summary>
    UnterminatedComment,

    /// <summary>A character ld's lexer rejects (control byte, non-ASCII, unterminated quote, <c>*</c> in a list): ld
    /// then gives up on the script and reports <c>FILE: file not recognized: file format not recognized</c>.</summary>
    NotAScript,

    /// <summary>ld: <c>cannot open linker script file NAME: No such file or directory</c>.</summary>
    IncludeNotFound,

    /// <summary>ld: <c>includes nested too deeply</c> (ld allows 10 levels; a self-INCLUDE ends here).</summary>
    IncludeTooDeep,
}

/// <summary>The first error in a script.</summary>
/// <param name="Line">1-based line. At end of input this is the
/// last line, although ld itself prints line 0 there.</param>
/// <param name="Message">ld's wording, without ld's "FILE:LINE: " prefix.</param>
public sealed record ScriptDiagnostic(int Line, string Message)
{
    public ScriptErrorKind Kind { get; init; } = ScriptErrorKind.SyntaxError;

    /// <summary>The INCLUDE name of the file the error is in; null for the parsed text itself.</summary>
    public string? File { get; init; }

    /// <summary>The error was hit at end of input (ld prints <c>FILE:0: syntax error</c> then).</summary>
    public bool AtEndOfInput { get; init; }
}
