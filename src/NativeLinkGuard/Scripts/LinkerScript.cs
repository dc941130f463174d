namespace NativeLinkGuard.Scripts;

/// <summary>What ld takes from a text "library" such as libc.so.</summary>
/// <param name="Inputs">INPUT/GROUP members in order; INCLUDEd scripts' members spliced in at their position.</param>
/// <param name="SearchDirs">SEARCH_DIR arguments in order, raw.</param>
/// <param name="OutputFormat">The first OUTPUT_FORMAT's default (first) argument; ld skips the script as
/// incompatible when this names another target, so the resolver must compare it.</param>
/// <param name="Error">The first error; ld fails the link on it. Null when the script is fine.</param>
public sealed record LinkerScript(
    IReadOnlyList<ScriptInput> Inputs,
    IReadOnlyList<string> SearchDirs,
    string? OutputFormat,
    ScriptDiagnostic? Error);
