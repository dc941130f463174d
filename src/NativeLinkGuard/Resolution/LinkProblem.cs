using NativeLinkGuard.Commands;

namespace NativeLinkGuard.Resolution;

/// <summary>What the resolver found wrong, before diagnosis turns it into coded findings with fixes.</summary>
public abstract record LinkProblem;

/// <summary>ld: <c>cannot find -lfoo: No such file or directory</c> (also files and script members).</summary>
public sealed record InputNotFound(LinkInput Input, IReadOnlyList<SearchAttempt> Attempts, string? Script = null) : LinkProblem;

/// <summary>ld: <c>NAME, needed by BY, not found (try using -rpath or -rpath-link)</c>.</summary>
public sealed record NeededNotFound(string Name, ResolvedLibrary By, IReadOnlyList<SearchAttempt> Attempts) : LinkProblem;

/// <summary>ld: <c>skipping incompatible FILE when searching for -lNAME</c>.</summary>
public sealed record IncompatibleSkipped(LinkInput Input, string Path, string FileTarget, string LinkTarget) : LinkProblem;

/// <summary>An input ld opens but cannot use: wrong format, malformed ELF, a dynamic object in a static link, a script error.</summary>
public sealed record InputUnusable(LinkInput Input, string Path, string Reason) : LinkProblem;
