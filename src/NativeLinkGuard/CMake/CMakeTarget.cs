using NativeLinkGuard.Diagnostics;

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
    /// <summary>
    /// Set from the generator's own files (link.txt, build.ninja): the link command itself, where it runs, where it
    /// came from.
    /// </summary>
    public CMakeLink? KnownLink { get; init; }

    /// <summary>
    /// The symbolic links CMake creates next to a versioned shared library (the SONAME link, then the namelink), as
    /// the generator's files name them (<c>cmake_symlink_library</c>); empty where the generator does not say.
    /// </summary>
    public IReadOnlyList<string> LinkNames { get; init; } = [];

    /// <summary>
    /// The <c>add_library</c>/<c>add_executable</c> call that defined the target (File API backtrace).
    /// </summary>
    public SourceLocation? DefinedAt { get; init; }

    public bool IsShared => Type is "SHARED_LIBRARY" or "MODULE_LIBRARY";
    public bool Links => Type is "EXECUTABLE" or "SHARED_LIBRARY" or "MODULE_LIBRARY";
    public bool IsStatic => Type == "STATIC_LIBRARY";
    public string ShortType => Type switch
    {
        "EXECUTABLE" => "exe",
        "SHARED_LIBRARY" => "shared",
        "MODULE_LIBRARY" => "module",
        _ => Type.ToLowerInvariant(),
    };
}

/// <summary>The configured build: targets in build order and the compiler of each language.</summary>
public sealed record CMakeBuild(
    string BuildDirectory,
    string? Generator,
    IReadOnlyList<CMakeTarget> Targets,
    IReadOnlyDictionary<string, string> Compilers)
{
    /// <summary>Where the build graph came from: the File API, or a fallback reader.</summary>
    public string Source { get; init; } = "CMake File API";

    /// <summary>Orders targets dependencies-first (a library before the targets that link it).</summary>
    public static List<CMakeTarget> BuildOrder(IReadOnlyList<CMakeTarget> targets)
    {
        var byId = targets.GroupBy(t => t.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<CMakeTarget>();
        void Visit(CMakeTarget t)
        {
            if (done.Contains(t.Id) || !visiting.Add(t.Id)) return; // never loop on a cycle
            foreach (var d in t.Dependencies)
                if (byId.TryGetValue(d, out var dep)) Visit(dep);
            visiting.Remove(t.Id);
            done.Add(t.Id);
            order.Add(t);
        }
        foreach (var t in targets) Visit(t);
        return order;
    }
}
