using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>The search order for callers outside the DT_NEEDED walk (the P/Invoke probe's dlopen).</summary>
internal sealed partial class LdSoSearch
{
    /// <summary>
    /// The lists <see cref="Find"/> tries for a bare name needed by an object without run paths (dlopen from
    /// libcoreclr), in its order: LD_LIBRARY_PATH, ld.so.cache (looked up by name: no directories), a sysroot's
    /// ld.so.conf standing in for the cache, the system directories. Each directory is tried with its hwcaps
    /// subdirectories (<see cref="LoaderEnvironment.Subdirectories"/>) first.
    /// </summary>
    public static IEnumerable<(SearchRule Rule, IReadOnlyList<string> Directories)> ForBareName(
        LoaderEnvironment env, string? ldLibraryPath)
    {
        if (!string.IsNullOrEmpty(ldLibraryPath))
            yield return (SearchRule.LdLibraryPath, RunPaths.SplitLdLibraryPath(ldLibraryPath));
        if (env.CachePath is not null) yield return (SearchRule.LdSoCache, []);
        if (env.ConfDirectories.Count > 0) yield return (SearchRule.LdSoConfAsCache, env.ConfDirectories);
        yield return (SearchRule.SystemDirectory, env.SystemDirectories);
    }
}
