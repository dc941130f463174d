namespace NativeLinkGuard.Scripts;

/// <summary>One member of an INPUT or GROUP list, in link order.</summary>
/// <param name="Name">For <c>-lNAME</c> the NAME (may be <c>:file</c>); otherwise the raw name, which may start with
/// <c>=</c> or <c>$SYSROOT</c> (the resolver applies the sysroot rules).</param>
/// <param name="IsLibrary">Written as <c>-lNAME</c>: an ordinary
/// library search, never in the script's directory.</param>
/// <param name="AsNeeded">Inside <c>AS_NEEDED ( … )</c>.</param>
/// <param name="InGroup">Inside <c>GROUP ( … )</c>.</param>
/// <param name="Line">1-based line in the script that named it (in the INCLUDEd file for spliced members).</param>
public sealed record ScriptInput(string Name, bool IsLibrary, bool AsNeeded, bool InGroup, int Line)
{
    /// <summary>The last member of its GROUP ( … ): ld ends the group there (archive rescan, missing-file
    /// check).</summary>
    public bool EndsGroup { get; init; }
}
