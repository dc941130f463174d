using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Diagnostics;

/// <summary>Why the advisor looked in a directory: the place users keep libraries that it stands for.</summary>
public enum CandidatePlaceKind
{
    HintDirectory,
    /// <summary>
    /// A directory of one of ld's or ld.so's own search lists (-rpath-link, -rpath, -L, LD_LIBRARY_PATH,
    /// LD_RUN_PATH, the DT_RUNPATH/DT_RPATH of the needing library or of one above it, ld.so.cache):
    /// <see cref="CandidatePlace.Rule"/> says which, in the search model's own words.
    /// </summary>
    SearchList,
    /// <summary>The needing library's DT_RPATH, which ld and ld.so ignore because it also has a DT_RUNPATH.</summary>
    IgnoredRpath,
    NeedingLibraryDirectory,
    /// <summary>
    /// A sibling of the needing library's (or an -L) directory, or its lib, lib64 or stubs subdirectory.
    /// </summary>
    Sibling,
    /// <summary>LIBRARY_PATH: gcc's, not ld's, so not a <see cref="SearchRule"/>.</summary>
    LibraryPathVariable,
    CudaToolkit,
    Conda,
    CondaSysroot,
    PythonNvidiaPackage,
    /// <summary>A directory of the link's working-directory tree or of its project (bounded scan).</summary>
    ProjectTree,
    /// <summary>A system directory of the host that the sysroot hides from ld.</summary>
    HostSystemDirectory,
}

/// <summary>
/// A directory where a missing library may be, and why we looked there. On a search list, RULE is the list and DETAIL
/// its owner (the object whose DT_RUNPATH/DT_RPATH it is, the cache file); otherwise DETAIL is what the kind names.
/// </summary>
public sealed record CandidatePlace(
    string Directory, CandidatePlaceKind Kind, string? Detail = null, SearchRule? Rule = null)
{
    /// <summary>A directory of ld's or ld.so's search list RULE (OWNER: see <see cref="SearchAttempt.Describe"/>).
    /// </summary>
    public static CandidatePlace OnSearchList(string directory, SearchRule rule, string? owner = null) =>
        new(directory, CandidatePlaceKind.SearchList, owner, rule);

    /// <summary>How a finding names the place, e.g. "DT_RUNPATH of libfoo.so" or "$CUDA_HOME".</summary>
    public override string ToString() => Kind switch
    {
        CandidatePlaceKind.HintDirectory => "--hint-dir",
        CandidatePlaceKind.SearchList when Rule is { } rule => SearchAttempt.Describe(rule, Detail),
        CandidatePlaceKind.IgnoredRpath =>
            $"{SearchAttempt.Describe(SearchRule.DtRpath, Detail)}, ignored because it also has a DT_RUNPATH",
        CandidatePlaceKind.NeedingLibraryDirectory => $"the directory of {Detail}",
        CandidatePlaceKind.Sibling => $"next to {Detail}",
        CandidatePlaceKind.LibraryPathVariable => "LIBRARY_PATH",
        CandidatePlaceKind.CudaToolkit => $"CUDA toolkit ({Detail})",
        CandidatePlaceKind.Conda => "$CONDA_PREFIX/lib",
        CandidatePlaceKind.CondaSysroot => "the conda sysroot",
        CandidatePlaceKind.PythonNvidiaPackage => "a Python nvidia package",
        CandidatePlaceKind.ProjectTree => $"the project tree ({Detail})",
        CandidatePlaceKind.HostSystemDirectory => "host system directory (outside the sysroot)",
        _ => Kind.ToString(),
    };

    /// <summary>The kind of place as a list of where we looked names it.</summary>
    public string KindText => Kind switch
    {
        CandidatePlaceKind.IgnoredRpath => "the run paths of the loaded libraries",
        CandidatePlaceKind.SearchList when Rule is SearchRule.Runpath or SearchRule.DtRpath =>
            "the run paths of the loaded libraries",
        CandidatePlaceKind.NeedingLibraryDirectory => "the needing library's directory",
        CandidatePlaceKind.Sibling => "its sibling directories (and their lib, lib64, stubs)",
        CandidatePlaceKind.CudaToolkit => "CUDA toolkits",
        CandidatePlaceKind.ProjectTree => "the project and working-directory tree",
        _ => ToString(),
    };
}

/// <summary>How a file answers the wanted name.</summary>
public enum CandidateMatch
{
    /// <summary>A file with exactly the wanted name.</summary>
    FileName,
    /// <summary>
    /// A file with another name whose SONAME is the wanted name (CUDA's stubs/libcuda.so for libcuda.so.1).
    /// </summary>
    Soname,
    /// <summary>The wanted name is a dangling symlink; this is the real library next to it.</summary>
    BehindDanglingSymlink,
}

/// <summary>A file outside ld's search that answers a wanted name, where it is, and why we looked there.</summary>
public sealed record Candidate(
    CandidatePlace Place, string File, ElfFile? Elf, CandidateMatch Match = CandidateMatch.FileName)
{
    public string Directory => Place.Directory;
    public string FullPath => Path.Combine(Directory, File);

    /// <summary>Why we looked there, as findings say it.</summary>
    public string Source => Place.ToString();
}
