namespace NativeLinkGuard.PInvoke;

/// <summary>
/// The <c>DllImportSearchPath</c> flags as the Linux runtime uses them (docs/pinvoke-rules.md §3): only whether the
/// calling assembly's directory is searched and whether the name then goes to dlopen.
/// </summary>
public static class DllImportSearchPaths
{
    public const int LegacyBehavior = 0x0;
    public const int AssemblyDirectory = 0x2;
    public const int UseDllDirectoryForDependencies = 0x100;
    public const int ApplicationDirectory = 0x200;
    public const int UserDirectories = 0x400;
    public const int System32 = 0x800;
    public const int SafeDirectories = 0x1000;

    /// <summary>No attribute, or one that includes AssemblyDirectory.</summary>
    public static bool SearchesAssemblyDirectory(int? flags) => flags is not { } f || (f & AssemblyDirectory) != 0;

    /// <summary>
    /// Every value but exactly AssemblyDirectory lets the name go to dlopen (observed: "asmdir" vs "both").
    /// </summary>
    public static bool CallsDlopenByName(int? flags) => flags != AssemblyDirectory;

    public static string Describe(int? flags)
    {
        if (flags is not { } f) return "no DefaultDllImportSearchPaths";
        if (f == 0) return "DllImportSearchPath.LegacyBehavior";
        var names = new List<string>();
        var bits = new[]
        {
            (AssemblyDirectory, "AssemblyDirectory"),
            (UseDllDirectoryForDependencies, "UseDllDirectoryForDependencies"),
            (ApplicationDirectory, "ApplicationDirectory"), (UserDirectories, "UserDirectories"),
            (System32, "System32"), (SafeDirectories, "SafeDirectories"),
        };
        foreach (var (bit, name) in bits)
            if ((f & bit) != 0) names.Add("DllImportSearchPath." + name);
        return names.Count == 0 ? $"DllImportSearchPath 0x{f:x}" : string.Join(" | ", names);
    }
}
