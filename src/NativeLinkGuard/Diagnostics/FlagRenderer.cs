namespace NativeLinkGuard.Diagnostics;

/// <summary>Renders linker options in the form the checked command takes, plus its CMake and make/configure
/// forms.</summary>
public sealed class FlagRenderer(bool viaDriver, bool sharedOutput)
{
    /// <summary>
    /// A linker option with a value: <c>-Wl,-rpath-link,/x</c> for a driver, <c>-rpath-link /x</c> for ld.
    /// </summary>
    public IReadOnlyList<string> LinkerOption(string option, string value) =>
        viaDriver ? LinkerOptionForDriver(option, value) : [option, value];

    public IReadOnlyList<string> LinkerFlag(string flag) => viaDriver ? [$"-Wl,{flag}"] : [flag];

    /// <summary>
    /// The CMake form. CMake puts CMAKE_*_LINKER_FLAGS before the objects, where an input (-l, -l:, a file) comes too
    /// early: an archive is then never searched, and under --as-needed (Ubuntu's and conda's default) a shared library
    /// is dropped. Inputs go to CMAKE_&lt;LANG&gt;_STANDARD_LIBRARIES, which CMake appends to every link line.
    /// </summary>
    public string CMake(IReadOnlyList<string> flags)
    {
        var (options, inputs) = Split(flags);
        var parts = new List<string>();
        if (options.Count > 0)
        {
            string joined = ShellQuote.Quote(string.Join(' ', options));
            // Both variables: the same dependency usually breaks executables and shared libraries alike.
            parts.Add(sharedOutput
                ? $"-DCMAKE_SHARED_LINKER_FLAGS={joined} -DCMAKE_EXE_LINKER_FLAGS={joined}"
                : $"-DCMAKE_EXE_LINKER_FLAGS={joined} -DCMAKE_SHARED_LINKER_FLAGS={joined}");
        }
        if (inputs.Count > 0)
        {
            string joined = ShellQuote.Quote(string.Join(' ', inputs));
            parts.Add($"-DCMAKE_C_STANDARD_LIBRARIES={joined} -DCMAKE_CXX_STANDARD_LIBRARIES={joined}");
        }
        return string.Join(' ', parts);
    }

    /// <summary>The make/configure form: options in LDFLAGS (before the objects), inputs where make's link rule
    /// (LDLIBS) and configure's (LIBS) put libraries, after them.</summary>
    public string LdFlags(IReadOnlyList<string> flags)
    {
        var (options, inputs) = Split(flags);
        var parts = new List<string>();
        if (options.Count > 0) parts.Add($"LDFLAGS=\"$LDFLAGS {string.Join(' ', options)}\"");
        if (inputs.Count > 0)
        {
            string joined = string.Join(' ', inputs);
            parts.Add($"LDLIBS=\"$LDLIBS {joined}\" LIBS=\"$LIBS {joined}\"");
        }
        return string.Join(' ', parts);
    }

    /// <summary>
    /// The flags in a driver's spelling (CMake and make link through one), split into options, whose place on the
    /// command line does not matter (-L, -Wl,…), and inputs (-l, -l:, files), which must follow what uses them.
    /// </summary>
    private (List<string> Options, List<string> Inputs) Split(IReadOnlyList<string> flags)
    {
        var options = new List<string>();
        var inputs = new List<string>();
        for (int i = 0; i < flags.Count; i++)
        {
            string f = flags[i];
            if (f == "-Xlinker" && i + 1 < flags.Count) options.AddRange([f, flags[++i]]);
            else if (f.StartsWith("-l", StringComparison.Ordinal) || !f.StartsWith('-')) inputs.Add(f);
            else if (viaDriver || f.StartsWith("-L", StringComparison.Ordinal)) options.Add(f);
            // An ld option of the checked ld command: the driver passes it with -Wl (its value too, for the two
            // LinkerOption writes as "OPTION VALUE").
            else if (f is "-rpath" or "-rpath-link" && i + 1 < flags.Count)
                options.AddRange(LinkerOptionForDriver(f, flags[++i]));
            else options.Add("-Wl," + f);
        }
        return (options, inputs);
    }

    // -Wl splits on commas, so a value with a comma needs -Xlinker.
    private static IReadOnlyList<string> LinkerOptionForDriver(string option, string value) =>
        value.Contains(',') ? ["-Xlinker", option, "-Xlinker", value] : [$"-Wl,{option},{value}"];

    public Suggestion Make(SuggestionQuality q, string summary, IReadOnlyList<string> flags, string why,
        IReadOnlyDictionary<string, string>? env = null, IReadOnlyList<FileOperation>? ops = null) =>
        new(q, summary, flags, why, env, ops,
            flags.Count > 0 ? CMake(flags) : null,
            flags.Count > 0 ? LdFlags(flags) : null);
}
