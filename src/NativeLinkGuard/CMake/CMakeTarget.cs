namespace NativeLinkGuard.CMake;

/// <summary>A link fragment of CMake's File API (codemodel-v2 <c>link.commandFragments</c>).</summary>
public sealed record LinkFragment(string Fragment, string Role);

/// <summary>One linkable target of a configured CMake build, as the File API describes it.</summary>
public sealed record CMakeTarget(
    string Id,
    string Name,
    string Type,
    string NameOnDisk,
    IReadOnlyList<string> Artifacts,
    string BuildDirectory,
    string? LinkLanguage,
    IReadOnlyList<LinkFragment> Fragments,
    IReadOnlyList<string> Dependencies)
{
    public bool IsShared => Type is "SHARED_LIBRARY" or "MODULE_LIBRARY";
    public bool Links => Type is "EXECUTABLE" or "SHARED_LIBRARY" or "MODULE_LIBRARY";
    public string ShortType => Type switch { "EXECUTABLE" => "exe", "SHARED_LIBRARY" => "shared", "MODULE_LIBRARY" => "module", _ => Type.ToLowerInvariant() };
}

/// <summary>The configured build: targets in build order and the compiler of each language.</summary>
public sealed record CMakeBuild(string BuildDirectory, string? Generator, IReadOnlyList<CMakeTarget> Targets, IReadOnlyDictionary<string, string> Compilers);
