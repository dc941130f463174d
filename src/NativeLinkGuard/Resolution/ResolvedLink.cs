namespace NativeLinkGuard.Resolution;

/// <summary>The resolver's answer for one link: what ld loads, what it cannot find, and how it searched.</summary>
public sealed record ResolvedLink(
    IReadOnlyList<ResolvedLibrary> Libraries,
    IReadOnlyList<LinkProblem> Problems,
    IReadOnlyList<string> Notes)
{
    /// <summary>The symbol stage could decide (every input's symbols were readable); else file-level rules
    /// predict.</summary>
    public bool SymbolsChecked { get; init; }

    /// <summary>Symbol tables that could not be read (malformed, truncated): each becomes a warning finding.</summary>
    public IReadOnlyList<string> SymbolReadErrors { get; init; } = [];
}
