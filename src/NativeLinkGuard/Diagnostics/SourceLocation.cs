namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// A place in the build's own code (a CMakeLists.txt line): an absolute file and a 1-based line (0 when unknown).
/// </summary>
public sealed record SourceLocation(string File, int Line);
