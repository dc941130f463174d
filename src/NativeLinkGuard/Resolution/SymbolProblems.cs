namespace NativeLinkGuard.Resolution;

/// <summary>
/// ld: <c>BY: undefined reference to `sym'</c> (one line per symbol; from an object, after <c>in function</c>).
/// Grouped per referencing file. <see cref="Warning"/>: --warn-unresolved-symbols made them warnings.
/// <see cref="MissingNeeded"/>: DT_NEEDED names of the referencing library that ld did not find (they would likely
/// have provided the symbols).
/// </summary>
public sealed record UndefinedSymbols(string ReferencedBy, bool FromObject, IReadOnlyList<string> Symbols, bool Warning,
    ResolvedLibrary? Library, IReadOnlyList<NeededNotFound> MissingNeeded) : LinkProblem
{
    /// <summary>Archives of this link (as given: <c>-la2</c>) whose index defines one of the symbols: they came too
    /// early.</summary>
    public IReadOnlyList<string> DefinedInArchives { get; init; } = [];

    /// <summary>Libraries ld's DT_NEEDED search would find (for libraries of this link) that define one of the
    /// symbols.</summary>
    public IReadOnlyList<string> DefinedInIndirectLibraries { get; init; } = [];

    /// <summary>What the prediction rests on when the link's objects did not exist yet (see
    /// LibraryReferencesBeforeBuild).</summary>
    public string? Assumption { get; init; }
}

/// <summary>ld: <c>BY: undefined reference to `sym@VER'</c> while a loaded library defines sym with other versions
/// only.</summary>
public sealed record SymbolVersionMissing(string ReferencedBy, IReadOnlyList<string> Symbols, string Version,
    string? Provider,
    IReadOnlyList<string> ProvidedVersions, bool Warning) : LinkProblem;

/// <summary>
/// ld: <c>OBJ: undefined reference to symbol 'sym'</c> + <c>LIB: error adding symbols: DSO missing from command
/// line</c>:
/// an object uses a symbol that only a library loaded for a DT_NEEDED defines (lld: <c>undefined symbol: sym</c>).
/// </summary>
public sealed record DsoMissingFromCommandLine(string ReferencedBy, IReadOnlyList<string> Symbols,
    ResolvedLibrary Library) : LinkProblem
{
    /// <summary>The file ld names in its line: the first that referenced the symbol (bfd's undef.abfd), which can be
    /// a shared library that referenced it before the object did.</summary>
    public string? FirstReferrer { get; init; }

    /// <summary>An --as-needed input dropped for want of a reference, loaded again for this library's DT_NEEDED: it
    /// was on the command line, but too early.</summary>
    public ResolvedLibrary? RevivedFor { get; init; }

    /// <summary>The first symbol as ld's line names it, with the version the library defines it at.</summary>
    public string? FirstSymbolAsDefined { get; init; }
}

/// <summary>ld: <c>NAME, needed by BY, may conflict with libX.so.M</c>: two versions of one library in the
/// link.</summary>
public sealed record NeededMayConflict(string Name, ResolvedLibrary By, string Path, string ConflictsWith)
    : LinkProblem;
