namespace NativeLinkGuard.Scripts;

/// <summary>An input named by a linker script. <see cref="IsLibrary"/>: written <c>-lNAME</c> (Name is NAME, or <c>:FILE</c>).</summary>
public sealed record ScriptInput(string Name, bool IsLibrary, bool AsNeeded, bool InGroup, int Line);

public sealed record ScriptDiagnostic(int Line, string Message);

/// <summary>What ld takes from a text "library": inputs in order (INCLUDEs spliced in), SEARCH_DIRs, OUTPUT_FORMAT, the first error.</summary>
public sealed record LinkerScript(
    IReadOnlyList<ScriptInput> Inputs,
    IReadOnlyList<string> SearchDirs,
    string? OutputFormat,
    ScriptDiagnostic? Error);
