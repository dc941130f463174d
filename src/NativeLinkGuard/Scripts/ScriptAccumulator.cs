namespace NativeLinkGuard.Scripts;

/// <summary>Collects what the main script and its INCLUDEs contribute, in reading order.</summary>
internal sealed class ScriptAccumulator
{
    public List<ScriptInput> Inputs { get; } = [];

    public List<string> SearchDirs { get; } = [];

    /// <summary>ld keeps the first OUTPUT_FORMAT seen in a script
    /// (ldlang.c lang_add_output_format, from_script).</summary>
    public string? OutputFormat { get; set; }

    public ScriptDiagnostic? Error { get; set; }
}
