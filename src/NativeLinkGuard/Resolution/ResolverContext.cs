using NativeLinkGuard.Commands;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Resolution;

/// <summary>Everything one resolution depends on; the resolver reads no ambient state (environment, cwd).</summary>
public sealed record ResolverContext(
    LinkRequest Request,
    LinkerInfo Linker,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?> Environment)
{
    /// <summary>ld's argv the request was parsed from (argv[0] first); fixes are tried by appending to it.</summary>
    public IReadOnlyList<string> LinkerArguments { get; init; } = [];

    /// <summary>The driver command the argv was expanded from (gcc …), or null when ld was run directly.</summary>
    public IReadOnlyList<string>? DriverArguments { get; init; }

    /// <summary>The link's own objects are not named (declarative checks): --as-needed libraries are assumed
    /// used.</summary>
    public bool ObjectsUnknown { get; init; }

    /// <summary>
    /// With <see cref="ObjectsUnknown"/>: the build's source text (a CMake build), which tells which names the
    /// program's own objects could define. Null: nothing is known about them.
    /// </summary>
    public Symbols.BuildSourceText? BuildSources { get; init; }

    /// <summary>The effective sysroot S: --sysroot on ld's command line, else the linker's configured one.</summary>
    public string Sysroot => TrimSlash(Request.Sysroot ?? Linker.DefaultSysroot);

    /// <summary>A -L element as this linker reads it (sysroot prefixes, cwd-relative).</summary>
    public string LibraryPath(string dir) =>
        SysrootPaths.LibraryPath(dir, Sysroot, WorkingDirectory, Linker.Flavor == LinkerFlavor.Lld);

    public string? Env(string name) => Environment.TryGetValue(name, out var v) ? v : null;

    public string Absolute(string path) => Path.IsPathRooted(path) ? path
        : Path.GetFullPath(Path.Combine(WorkingDirectory, path));

    private static string TrimSlash(string s) => s.Length > 1 ? s.TrimEnd('/') : (s == "/" ? "" : s);
}
