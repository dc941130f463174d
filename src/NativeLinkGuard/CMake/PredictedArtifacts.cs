namespace NativeLinkGuard.CMake;

/// <summary>
/// The files a target's build step will create, known before they exist: the one model every reader (File API,
/// link.txt, build.ninja) feeds. A versioned shared library is its real file (libfoo.so.1.2.3) plus the SONAME link
/// and the namelink CMake makes next to it; a static library is its archive.
/// </summary>
public static class PredictedArtifacts
{
    /// <summary>Every path the target's build creates that a later link may name or find by search.</summary>
    public static IEnumerable<string> Files(CMakeTarget target, string? soname)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in target.Artifacts.Concat(target.LinkNames))
            if (seen.Add(a)) yield return a;
        if (!target.IsShared || target.LinkNames.Count > 0) yield break;
        // The generator did not name the links (fragments-only reply): CMake puts them beside the real file.
        foreach (var a in target.Artifacts)
        {
            string dir = Path.GetDirectoryName(a) ?? "";
            if (soname is not null && seen.Add(Path.Combine(dir, soname))) yield return Path.Combine(dir, soname);
            if (target.NameOnDisk.Length > 0 && seen.Add(Path.Combine(dir, target.NameOnDisk)))
                yield return Path.Combine(dir, target.NameOnDisk);
        }
    }
}
