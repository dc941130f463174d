namespace NativeLinkGuard.Elf;

/// <summary>
/// The global symbols of one object or shared library, as far as --as-needed cares: what it defines and what it
/// references without a weak binding (ld keeps an as-needed library only for non-weak references).
/// </summary>
public sealed record SymbolSummary(IReadOnlySet<string> Defined, IReadOnlySet<string> StrongUndefined);
