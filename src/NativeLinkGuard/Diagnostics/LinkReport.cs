namespace NativeLinkGuard.Diagnostics;

public enum PredictedOutcome { Succeeds, Fails }

/// <summary>The linker a prediction was made for, as probed.</summary>
public sealed record LinkerSummary(string Path, string Version, string Target, string Sysroot, bool Native, bool Probed);

/// <summary>The result of checking one link.</summary>
public sealed record LinkReport(
    string Output,
    PredictedOutcome PredictedOutcome,
    IReadOnlyList<Finding> Findings,
    LinkerSummary? Linker,
    IReadOnlyList<string> LinkerArguments,
    IReadOnlyList<string> Notes,
    long ElapsedMilliseconds);
