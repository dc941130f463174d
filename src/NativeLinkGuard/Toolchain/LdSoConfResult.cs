namespace NativeLinkGuard.Toolchain;

/// <param name="Directories">In ld's order, sysroot applied to absolute entries. An empty string is an empty
/// element (a line holding only "/"), which ld searches as the current directory.</param>
/// <param name="Diagnostics">Unreadable files, include cycles, limits; ld itself is silent about all of them.</param>
/// <param name="FilesRead">Every file that was opened, in reading
/// order (the caller can watch them for changes).</param>
public sealed record LdSoConfResult(IReadOnlyList<string> Directories, IReadOnlyList<string> Diagnostics,
    IReadOnlyList<string> FilesRead);
