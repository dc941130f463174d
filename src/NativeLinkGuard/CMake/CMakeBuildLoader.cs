using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.CMake;

/// <summary>The build graph of a configured tree, and how it was read (for the front ends to tell the user).</summary>
public sealed record LoadedCMakeBuild(CMakeBuild Build, string? Note);

/// <summary>
/// Loads a configured CMake build the same way for every front end: the File API reply for the graph (types,
/// dependencies, IMPORTED libraries, backtraces) with each target's link command and artifacts taken from the
/// generator's own files (<c>build.ninja</c>, <c>link.txt</c>, <c>build.make</c>: exactly what the build runs, with
/// the real file names of versioned libraries); the generator's files alone when there is no reply yet.
/// </summary>
public static class CMakeBuildLoader
{
    public static LoadedCMakeBuild? Load(
        string buildDir, bool configure, IReadOnlyDictionary<string, string?> env, out string? error)
    {
        error = null;
        // A reply present before our query was written answers another client's query, not ours: not trusted.
        bool wroteQuery = CMakeFileApi.EnsureQuery(buildDir);
        var generator = CMakeFallbackReader.TryRead(buildDir, out string? generatorError);
        var fileApi = wroteQuery ? null : CMakeFileApi.TryRead(buildDir, out error);
        if (fileApi is not null) return new LoadedCMakeBuild(WithGeneratorFiles(fileApi, generator), null);
        if (generator is not null && !configure)
        {
            return new LoadedCMakeBuild(generator,
                $"{buildDir} has no CMake File API reply; using its {generator.Source} (the query is written now: "
                    + "re-run the configure step for the full build graph).");
        }
        if (!configure)
        {
            error = $"{buildDir} has no CMake File API reply yet (the query is written now) and no readable link "
                + $"commands ({generatorError}); re-run the configure step (cmake {buildDir})";
            return null;
        }
        var r = ProcessRunner.Run("cmake", [buildDir], env, buildDir, timeoutMs: 600_000);
        if (r.ExitCode != 0)
        {
            error = $"'cmake {buildDir}' failed:\n{r.StandardError}";
            return null;
        }
        fileApi = CMakeFileApi.TryRead(buildDir, out error);
        return fileApi is null
            ? null
            : new LoadedCMakeBuild(WithGeneratorFiles(fileApi, CMakeFallbackReader.TryRead(buildDir, out _)), null);
    }

    /// <summary>
    /// The File API names a versioned library by its namelink and has no link command for Ninja: the generator's
    /// files say what the build really writes (libfoo.so.1.2.3, its SONAME) and runs. Matched by target name.
    /// </summary>
    public static CMakeBuild WithGeneratorFiles(CMakeBuild fileApi, CMakeBuild? generator)
    {
        if (generator is null) return fileApi;
        var byName = generator.Targets.GroupBy(t => t.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var targets = fileApi.Targets.Select(t =>
            byName.TryGetValue(t.Name, out var g) && (t.Links || t.IsStatic)
                ? t with
                {
                    KnownLink = g.KnownLink ?? t.KnownLink,
                    Artifacts = g.Artifacts.Count > 0 ? g.Artifacts : t.Artifacts,
                    LinkNames = g.LinkNames,
                }
                : t).ToList();
        return fileApi with { Targets = targets };
    }
}
