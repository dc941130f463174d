namespace NativeLinkGuard.Scripts;

/// <summary>
/// Reads the implicit linker scripts ld finds in place of a library (libc.so, libgcc_s.so, conda sysroot files).
/// Behaviour follows binutils 2.40 as observed by running ld on each case (see the tests), not the manual alone.
/// </summary>
public static class LinkerScriptParser
{
    /// <summary>ld's include stack holds 10 files; a self-INCLUDE
    /// stops there with "includes nested too deeply".</summary>
    internal const int MaxIncludeDepth = 10;

    public static LinkerScript Parse(string text, Func<string, string?>? includeLoader = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new ScriptAccumulator();
        new ScriptReader(text, fileName: null, includeLoader, depth: 0, result).Read();
        return new LinkerScript(result.Inputs, result.SearchDirs, result.OutputFormat, result.Error);
    }

    /// <summary>
    /// Cheap check that a file that is neither ELF nor an archive is text ld could read as a script. ld itself tries
    /// any such file, but a NUL byte makes its lexer give up ("file format not recognized"), so binary files are not
    /// scripts.
    /// </summary>
    public static bool LooksLikeText(ReadOnlySpan<byte> head) =>
        Elf.FileMagic.Of(head) is null && !head.Contains((byte)0);
}
