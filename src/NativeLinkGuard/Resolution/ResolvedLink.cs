namespace NativeLinkGuard.Resolution;

/// <summary>The resolver's answer for one link: what ld loads, what it cannot find, and how it searched.</summary>
public sealed record ResolvedLink(
    IReadOnlyList<ResolvedLibrary> Libraries,
    IReadOnlyList<LinkProblem> Problems,
    IReadOnlyList<string> Notes);
