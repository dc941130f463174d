using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Diagnostics;

/// <summary>Turns resolver problems into coded findings with ld's wording, the chain, the search trace and ranked fixes.</summary>
public sealed class FindingFactory(ResolverContext ctx, FixAdvisor advisor)
{
    private string Output => ctx.Request.Output ?? "a.out";

    public Finding Create(LinkProblem problem) => problem switch
    {
        NeededNotFound n => Needed(n),
        InputNotFound d => Direct(d),
        IncompatibleSkipped s => Incompatible(s),
        InputUnusable u => Unusable(u),
        _ => throw new ArgumentOutOfRangeException(nameof(problem)),
    };

    private Finding Needed(NeededNotFound n)
    {
        var chain = n.By.Chain(Output).Append(n.Name).ToList();
        string ld = $"warning: {n.Name}, needed by {n.By.Spelling}, not found (try using -rpath or -rpath-link)";
        var (suggestions, notes) = advisor.ForNeeded(n);
        notes.Insert(0, "GNU ld only warns here; the link then fails on the undefined references the missing library would have provided (until symbol-level analysis, this predicts a failure).");
        notes.Insert(1, "-L and LIBRARY_PATH cannot fix this: ld never searches them for a DT_NEEDED (indirect) dependency.");
        for (var l = n.By; l is not null; l = l.NeededBy)
            if (l.Elf.PredictedFrom is { } from)
                notes.Add($"{Path.GetFileName(l.Path)} is not built yet: its dynamic section is predicted from {from}.");
        string message = $"{n.Name}, needed by {Path.GetFileName(n.By.Path)}, will not be found by ld: {string.Join(" → ", chain)}";
        return new Finding(DiagnosticCodes.IndirectDependencyNotFound, Severity.Error, message, n.Name, n.By.Spelling, chain,
            Trace(n.Attempts), suggestions, notes, ld);
    }

    private Finding Direct(InputNotFound d)
    {
        string display = d.Input.Display;
        string ld = d.Script is null || d.Input.Kind == LinkInputKind.Library
            ? $"cannot find {display}: No such file or directory"
            : (ctx.Sysroot.Length > 0 && SysrootPaths.IsInside(SysrootPaths.RealPath(d.Script), ctx.Sysroot) && d.Input.Name.StartsWith('/')
                ? $"cannot find {d.Input.Name} inside {ctx.Sysroot}"
                : $"cannot find {display}: No such file or directory");
        var (suggestions, notes) = advisor.ForDirect(d);
        if (d.Script is not null) notes.Insert(0, $"named inside the linker script {d.Script}");
        string message = $"{display} will not be found by ld for {Path.GetFileName(Output)}";
        return new Finding(DiagnosticCodes.DirectLibraryNotFound, Severity.Error, message, display, d.Script, [Path.GetFileName(Output), display],
            Trace(d.Attempts), suggestions, notes, ld);
    }

    private Finding Incompatible(IncompatibleSkipped s)
    {
        string ld = $"skipping incompatible {s.Path} when searching for {s.Input.Display}";
        string message = $"{s.Path} is {s.FileTarget}, the link is {s.LinkTarget}: ld skips it when searching for {s.Input.Display}";
        return new Finding(DiagnosticCodes.IncompatibleLibrarySkipped, Severity.Warning, message, s.Input.Display, null,
            [Path.GetFileName(Output), s.Input.Display], [], [], ["ld goes on searching; this is an error only if no compatible file is found later."], ld);
    }

    private Finding Unusable(InputUnusable u) =>
        new(DiagnosticCodes.InputUnusable, Severity.Error, u.Reason, u.Path, null, [Path.GetFileName(Output), u.Path], [], [], [], u.Reason);

    private static List<SearchedDirectory> Trace(IReadOnlyList<SearchAttempt> attempts) =>
        attempts.Select(a => new SearchedDirectory(a.Directory.Length == 0 ? "(current directory)" : a.Directory, a.RuleText, a.Outcome switch
        {
            AttemptOutcome.Absent => $"no {Path.GetFileName(a.Candidate)}",
            AttemptOutcome.Incompatible => $"{Path.GetFileName(a.Candidate)} is {a.Detail} (skipped)",
            AttemptOutcome.NotSharedObject => $"{Path.GetFileName(a.Candidate)}: {a.Detail}",
            AttemptOutcome.Unreadable => $"{Path.GetFileName(a.Candidate)} unreadable: {a.Detail}",
            AttemptOutcome.RejectedFirstPass => $"{Path.GetFileName(a.Candidate)}: {a.Detail}",
            _ => $"found {Path.GetFileName(a.Candidate)}",
        })).ToList();
}
