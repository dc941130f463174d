namespace NativeLinkGuard.Diagnostics;

/// <summary>Stable finding codes. Never renumber: users put them in NoWarn and WarningsAsErrors.</summary>
public static class DiagnosticCodes
{
    /// <summary>A direct input (-lNAME, -l:FILE, a file, a script member) that ld will not find.</summary>
    public const string DirectLibraryNotFound = "NLG0001";
    /// <summary>A DT_NEEDED of a linked shared library that ld's indirect search will not find.</summary>
    public const string IndirectDependencyNotFound = "NLG0002";
    /// <summary>A candidate skipped as incompatible (other ELF class or machine).</summary>
    public const string IncompatibleLibrarySkipped = "NLG0003";
    /// <summary>
    /// A library's SONAME name is a regular file, not a symlink (ldconfig: "is not a symbolic link").
    /// </summary>
    public const string SonameNotALink = "NLG0004";
    /// <summary>A run-time search path (-rpath, DT_RUNPATH/DT_RPATH) points into a stubs directory.</summary>
    public const string StubsInRuntimePath = "NLG0005";
    /// <summary>
    /// Undefined references ld will not resolve (grouped per referencing file), with the DT_NEEDED that would provide
    /// them.
    /// </summary>
    public const string UndefinedReference = "NLG0006";
    /// <summary>
    /// A versioned reference (f@V) whose provider defines f only under other versions (GLIBC_* from an older sysroot).
    /// </summary>
    public const string SymbolVersionMissing = "NLG0007";
    /// <summary>
    /// The program uses a symbol of a library ld loaded only for a DT_NEEDED: "DSO missing from command line".
    /// </summary>
    public const string DsoMissingFromCommandLine = "NLG0008";
    /// <summary>Two SONAMEs of one library in a link: ld's "may conflict with" warning.</summary>
    public const string NeededMayConflict = "NLG0009";
    /// <summary>A dangling or looping symbolic link among the libraries of a directory.</summary>
    public const string BrokenSymlink = "NLG0010";
    /// <summary>A SONAME link that is missing, points at an older version or at a file with another SONAME.</summary>
    public const string SonameLinkWrong = "NLG0011";
    /// <summary>Runtime check: ld.so will not load the file (a DT_NEEDED not found, an unusable candidate).</summary>
    public const string NotLoadableAtRunTime = "NLG0012";
    /// <summary>
    /// Runtime check: a library the GPU driver provides where the program runs is absent here (info).
    /// </summary>
    public const string DriverLibraryAtRunTime = "NLG0013";
    /// <summary>
    /// An input ld finds but cannot use (wrong format, malformed ELF, dynamic object in a static link, script error).
    /// </summary>
    public const string InputUnusable = "NLG0014";
    /// <summary>
    /// --allow-shlib-undefined on an executable link: ld skips the DT_NEEDED check; we check anyway (info).
    /// </summary>
    public const string ShlibUndefinedAllowed = "NLG0015";
    /// <summary>
    /// P/Invoke check: the .NET runtime will not load a library the app imports (DllNotFoundException).
    /// </summary>
    public const string PInvokeLibraryNotFound = "NLG0016";
    /// <summary>The check itself could not run (toolchain missing, probe failed, internal error).</summary>
    public const string CheckFailed = "NLG9001";

    /// <summary>
    /// Where a code is documented (docs/codes.md): the help link of every warning, report and SARIF rule.
    /// </summary>
    public static string HelpLink(string code) =>
        $"https://github.com/nativelinkguard/nativelinkguard/blob/main/docs/codes.md#{code.ToLowerInvariant()}";
}
