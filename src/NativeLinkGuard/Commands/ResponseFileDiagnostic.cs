namespace NativeLinkGuard.Commands;

/// <param name="File">The @file as written, without the '@'.</param>
/// <param name="Message">gcc/ld's wording where they have one (libiberty expandargv).</param>
public sealed record ResponseFileDiagnostic(string File, string Message);
