namespace NativeLinkGuard.PInvoke;

/// <summary>
/// How an app asks the runtime for a native library; each kind searches differently (docs/pinvoke-rules.md §1).
/// </summary>
public enum ImportKind
{
    /// <summary>
    /// <c>[DllImport]</c> or <c>[LibraryImport]</c> (which the source generator turns into a DllImport).
    /// </summary>
    DllImport,
    /// <summary>
    /// <c>NativeLibrary.Load(string)</c> / <c>TryLoad(string, out IntPtr)</c>: a bare dlopen, no variations.
    /// </summary>
    LoadByPath,
    /// <summary><c>NativeLibrary.Load(string, Assembly, DllImportSearchPath?)</c>: searched like a DllImport.</summary>
    LoadWithAssembly,
}

/// <summary>
/// One library the app asks for: NAME as written (an app-relative path built from
/// <c>Path.Combine(AppContext.BaseDirectory, ...)</c> is made absolute against the app directory), the search flags
/// in force (<c>DefaultDllImportSearchPaths</c> of the method, else of the assembly; null: none), and who asks.
/// </summary>
public sealed record NativeImport(string Name, ImportKind Kind, int? SearchPaths, string Assembly, string Member)
{
    /// <summary>The name is relative to <c>AppContext.BaseDirectory</c> (the app directory).</summary>
    public bool AppRelative { get; init; }
}

/// <summary>A load whose library name the check cannot know before the app runs.</summary>
public sealed record UncheckedLoad(string Assembly, string Member, string Why);

/// <summary>What one assembly asks for.</summary>
public sealed record AssemblyImports(
    string Path,
    IReadOnlyList<NativeImport> Imports,
    IReadOnlyList<UncheckedLoad> Unchecked);
