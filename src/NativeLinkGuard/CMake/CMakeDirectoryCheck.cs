using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.CMake;

/// <summary>What to check in a configured CMake build directory.</summary>
public sealed record CMakeCheckOptions
{
    /// <summary>Write the File API query and re-run the configure step first when there is no reply.</summary>
    public bool Configure { get; init; }

    /// <summary>Also check the builds configured inside the build tree (see <see cref="NestedBuilds"/>).</summary>
    public bool Nested { get; init; }

    /// <summary>Report only these targets of the top build (every link is still checked, in build order).</summary>
    public IReadOnlyCollection<string>? Targets { get; init; }
}

/// <summary>Why a build directory could not be checked at all.</summary>
public enum CMakeCheckFailure
{
    None,
    /// <summary>No CMakeCache.txt: not a configured build directory.</summary>
    NotConfigured,
    /// <summary>Neither a File API reply nor the generator's files could be read; configuring may help.</summary>
    Unreadable,
    /// <summary>A target asked for is not in the build.</summary>
    UnknownTarget,
}

/// <summary>The outcome of checking one configured build directory and, when asked, the builds nested in it.</summary>
public sealed record CMakeDirectoryCheck
{
    public IReadOnlyList<LinkReport> Reports { get; init; } = [];

    /// <summary>
    /// How the build was read, for the user (e.g. no File API reply yet: the generator's files were used).
    /// </summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Nested builds that could not be read; everything else was checked.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public CMakeCheckFailure Failure { get; init; }

    /// <summary>
    /// With <see cref="Failure"/>: what went wrong, one line (the configure step's errors may follow).
    /// </summary>
    public string? Error { get; init; }

    public static CMakeDirectoryCheck Failed(CMakeCheckFailure failure, string error) =>
        new() { Failure = failure, Error = error };
}
