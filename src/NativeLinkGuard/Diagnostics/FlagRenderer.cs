namespace NativeLinkGuard.Diagnostics;

/// <summary>Renders linker options in the form the checked command takes, plus its CMake and LDFLAGS forms.</summary>
public sealed class FlagRenderer(bool viaDriver, bool sharedOutput)
{
    /// <summary>
    /// A linker option with a value: <c>-Wl,-rpath-link,/x</c> for a driver, <c>-rpath-link /x</c> for ld.
    /// </summary>
    public IReadOnlyList<string> LinkerOption(string option, string value)
    {
        if (!viaDriver) return [option, value];
        // -Wl splits on commas, so a value with a comma needs -Xlinker.
        return value.Contains(',') ? ["-Xlinker", option, "-Xlinker", value] : [$"-Wl,{option},{value}"];
    }

    public IReadOnlyList<string> LinkerFlag(string flag) => viaDriver ? [$"-Wl,{flag}"] : [flag];

    public string CMake(IReadOnlyList<string> flags)
    {
        string joined = ShellQuote.Quote(string.Join(' ', flags));
        // Both variables: the same dependency usually breaks executables and shared libraries alike.
        return sharedOutput
            ? $"-DCMAKE_SHARED_LINKER_FLAGS={joined} -DCMAKE_EXE_LINKER_FLAGS={joined}"
            : $"-DCMAKE_EXE_LINKER_FLAGS={joined} -DCMAKE_SHARED_LINKER_FLAGS={joined}";
    }

    public string LdFlags(IReadOnlyList<string> flags) => $"LDFLAGS=\"$LDFLAGS {string.Join(' ', flags)}\"";

    public Suggestion Make(SuggestionQuality q, string summary, IReadOnlyList<string> flags, string why,
        IReadOnlyDictionary<string, string>? env = null, IReadOnlyList<FileOperation>? ops = null) =>
        new(q, summary, flags, why, env, ops,
            flags.Count > 0 ? CMake(flags) : null,
            flags.Count > 0 ? LdFlags(flags) : null);
}
