namespace NativeLinkGuard.Diagnostics;

public enum PredictedOutcome { Succeeds, Fails }

/// <summary>The linker a prediction was made for, as probed.</summary>
public sealed record LinkerSummary(
    string Path, string Version, string Target, string Sysroot, bool Native, bool Probed);

/// <summary>The result of checking one link.</summary>
public sealed record LinkReport(
    string Output,
    PredictedOutcome PredictedOutcome,
    IReadOnlyList<Finding> Findings,
    LinkerSummary? Linker,
    IReadOnlyList<string> LinkerArguments,
    IReadOnlyList<string> Notes,
    long ElapsedMilliseconds)
{
    /// <summary>Shared libraries ld loads for this link, in order (command-line inputs first).</summary>
    public IReadOnlyList<LinkedLibrary> Libraries { get; init; } = [];

    /// <summary>The output's dynamic section as this link will write it (<see cref="Resolution.LinkOutput"/>); null
    /// when the link could not be checked.</summary>
    public Elf.ElfFile? PredictedOutput { get; init; }

    /// <summary>Set by the CMake front end: the target, its type and output as CMake writes it.</summary>
    public CMakeTargetInfo? Target { get; init; }
}

/// <summary>A shared library in a link: where it is, its SONAME, whether it was named on the command line.</summary>
public sealed record LinkedLibrary(string Path, string? Soname, bool CommandLine, bool DroppedByAsNeeded);

public sealed record CMakeTargetInfo(string Name, string Type, string Output)
{
    /// <summary>Where the link command came from (a link.txt file, or the File API reply).</summary>
    public string? CommandSource { get; init; }

    /// <summary>The CMake code that defined the target (from the File API backtrace): where a finding points.</summary>
    public SourceLocation? DefinedAt { get; init; }
}
