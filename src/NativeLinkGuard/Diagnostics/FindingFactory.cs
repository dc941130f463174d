using NativeLinkGuard.Commands;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// Turns resolver problems into coded findings with ld's wording, the chain, the search trace and ranked fixes.
/// </summary>
public sealed class FindingFactory(ResolverContext ctx, FixAdvisor advisor, SymbolFixAdvisor? symbolAdvisor = null)
{
    private string Output => ctx.Request.Output ?? "a.out";

    public Finding Create(LinkProblem problem) => problem switch
    {
        NeededNotFound n => Needed(n),
        InputNotFound d => Direct(d),
        IncompatibleSkipped s => Incompatible(s),
        InputUnusable u => Unusable(u),
        UndefinedSymbols u => Undefined(u),
        SymbolVersionMissing v => VersionMissing(v),
        DsoMissingFromCommandLine d => DsoMissing(d),
        NeededMayConflict c => MayConflict(c),
        _ => throw new ArgumentOutOfRangeException(nameof(problem)),
    };

    private Finding Needed(NeededNotFound n)
    {
        var chain = n.By.Chain(Output).Append(n.Name).ToList();
        string ld = $"warning: {n.Name}, needed by {n.By.Spelling}, not found (try using -rpath or -rpath-link)";
        // lld never searches DT_NEEDED and says nothing (ld-rules §9.1): LinkChecker reports its run-time load instead.
        var (suggestions, notes) = advisor.ForNeeded(n);
        notes.Insert(0, NeededConsequence(n));
        notes.Insert(1, "-L and LIBRARY_PATH cannot fix this: ld never searches them for a DT_NEEDED (indirect) "
            + "dependency.");
        for (var l = n.By; l is not null; l = l.NeededBy)
            if (l.Elf.PredictedFrom is { } from)
            {
                notes.Add($"{Path.GetFileName(l.Path)} is not built yet: its dynamic section is predicted from "
                    + $"{from}.");
            }
        return new Finding
        {
            Code = DiagnosticCodes.IndirectDependencyNotFound,
            Severity = n.Consequential ? Severity.Error : Severity.Warning,
            Message = $"{n.Name}, needed by {Path.GetFileName(n.By.Path)}, will not be found by ld: "
                + string.Join(" → ", chain),
            LdMessage = ld,
            Library = n.Name,
            NeededBy = n.By.Spelling,
            Chain = chain,
            Searched = Trace(n.Attempts),
            Suggestions = suggestions,
            Notes = notes,
        };
    }

    /// <summary>What ld's warning leads to: undefined references (a failure), or nothing at link time.</summary>
    private static string NeededConsequence(NeededNotFound n)
    {
        if (!n.SymbolsChecked)
        {
            return "GNU ld only warns here; the link then fails on the undefined references the missing library "
                + "would have provided (symbols could not be checked for this link, so this predicts a failure).";
        }
        return n.Consequential
            ? "GNU ld only warns here; the link fails on the undefined references listed in the NLG0006 finding, "
                + "which this library would have provided."
            : $"GNU ld only warns here, and the link succeeds: every symbol {Path.GetFileName(n.By.Path)} needs is "
                + $"defined by another input. The program still needs {n.Name} at run time.";
    }

    /// <summary>
    /// lld 14's words: a -l search fails in the driver, as does opening an absolute or <c>=</c> name; a script's
    /// own search (a relative member, an absolute one under the sysroot) fails with the script's FILE:LINE.
    /// </summary>
    private string LldNotFound(InputNotFound d, string named, bool absoluteInSysroot)
    {
        if (d.Input.Kind == LinkInputKind.Library) return $"unable to find library {named}";
        if (d.Script is null) return $"cannot open {named}: No such file or directory";
        string at = $"{d.ScriptSpelling ?? d.Script}:{d.Input.ScriptLine}: ";
        if (absoluteInSysroot) return at + $"cannot find {named} inside {ctx.Sysroot}";
        return d.Input.Name.StartsWith('/') || d.Input.Name.StartsWith('=')
            ? $"cannot open {named}: No such file or directory"
            : at + $"unable to find {named}";
    }

    /// <summary>A script member written with the sysroot prefix (<c>=</c>, GNU ld's <c>$SYSROOT</c>) is named by
    /// the file the linker tried; any other input as written.</summary>
    private string NamedAs(InputNotFound d) =>
        d.Script is not null && d.Input.Kind == LinkInputKind.File && d.Attempts.Count == 1
            && (d.Input.Name.StartsWith('=') || (!Lld && d.Input.Name.StartsWith("$SYSROOT", StringComparison.Ordinal)))
            ? d.Attempts[0].Candidate : d.Input.Display;

    private Finding Direct(InputNotFound d)
    {
        string display = NamedAs(d);
        // The resolver decided whether the script is under the sysroot; its one attempt says so.
        bool absoluteInSysroot = d.Script is not null && d.Input.Kind != LinkInputKind.Library
            && d.Input.Name.StartsWith('/') && d.Attempts.Any(a => a.Rule == SearchRule.AbsoluteName && a.InSysroot);
        string ld = Lld ? LldNotFound(d, display, absoluteInSysroot)
            : absoluteInSysroot ? $"cannot find {d.Input.Name} inside {ctx.Sysroot}"
            : $"cannot find {display}: {d.Error}";
        var (suggestions, notes) = advisor.ForDirect(d);
        if (d.Script is not null) notes.Insert(0, $"named inside the linker script {d.Script}");
        return new Finding
        {
            Code = DiagnosticCodes.DirectLibraryNotFound,
            Severity = Severity.Error,
            Message = $"{display} will not be found by ld for {Path.GetFileName(Output)}",
            LdMessage = ld,
            Library = display,
            NeededBy = d.Script,
            Chain = [Path.GetFileName(Output), display],
            Searched = Trace(d.Attempts),
            Suggestions = suggestions,
            Notes = notes,
        };
    }

    private Finding Incompatible(IncompatibleSkipped s) => new()
    {
        Code = DiagnosticCodes.IncompatibleLibrarySkipped,
        Severity = Severity.Warning,
        Message = $"{s.Path} is {s.FileTarget}, the link is {s.LinkTarget}: ld skips it when searching for "
            + s.Input.Display,
        LdMessage = $"skipping incompatible {s.Path} when searching for {s.Input.Display}",
        Library = s.Input.Display,
        Chain = [Path.GetFileName(Output), s.Input.Display],
        Notes = ["ld goes on searching; this is an error only if no compatible file is found later."],
    };

    private bool Lld => ctx.Linker.Flavor == LinkerFlavor.Lld;

    private IReadOnlyList<string> ChainOf(string referencedBy, ResolvedLibrary? lib) =>
        lib is not null ? lib.Chain(Output) : [Path.GetFileName(Output), referencedBy];

    private static string FirstFew(IReadOnlyList<string> symbols, int n = 5) =>
        string.Join(", ", symbols.Take(n)) + (symbols.Count > n ? $" and {symbols.Count - n} more" : "");

    private Finding Undefined(UndefinedSymbols u)
    {
        string first = u.Symbols[0];
        string ld = Lld
            ? (u.FromObject
                ? $"undefined symbol: {first}"
                : $"{u.ReferencedBy}: undefined reference to {first} [--no-allow-shlib-undefined]")
            : $"{u.ReferencedBy}: {(u.Warning ? "warning: " : "")}undefined reference to `{first}'";
        string count = u.Symbols.Count == 1 ? "an undefined reference" : $"{u.Symbols.Count} undefined references";
        string message = $"{u.ReferencedBy} has {count} that no input of {Path.GetFileName(Output)} defines: "
            + FirstFew(u.Symbols);
        var notes = new List<string>();
        var suggestions = new List<Suggestion>();
        if (symbolAdvisor?.WhoWouldProvide(u) is { } who)
        {
            message += "; " + who;
            // The fix is the one that makes the missing DT_NEEDED found (NLG0002's, verified again for this finding).
            var (s, _) = advisor.ForNeeded(u.MissingNeeded[0]);
            suggestions.AddRange(s);
            notes.Add($"the NLG0002 finding for {u.MissingNeeded[0].Name} shows where ld searched; "
                + "these are its fixes, verified again for these symbols.");
        }
        else if (u.MissingNeeded.Count == 0 && symbolAdvisor is not null)
        {
            var (s, n) = symbolAdvisor.ForObjectUndefined(u);
            suggestions.AddRange(s);
            notes.AddRange(n);
        }
        if (UndefinedNote(u) is { } note) notes.Insert(0, note);
        if (u.Assumption is not null) notes.Insert(0, "assumed: " + u.Assumption + ".");
        return new Finding
        {
            Code = DiagnosticCodes.UndefinedReference,
            Severity = u.Warning ? Severity.Warning : Severity.Error,
            Message = message,
            LdMessage = ld,
            Library = u.ReferencedBy,
            NeededBy = u.Library?.NeededBy?.Spelling,
            Chain = ChainOf(u.ReferencedBy, u.Library),
            Suggestions = suggestions,
            Notes = notes,
            Symbols = u.Symbols,
        };
    }

    /// <summary>
    /// Why ld reports these undefined references the way it does (a warning, or a check of libraries).
    /// </summary>
    private string? UndefinedNote(UndefinedSymbols u)
    {
        if (u.Warning && u.FromObject && ctx.Request.GcSections && !ctx.Request.WarnUnresolvedSymbols)
        {
            return "--gc-sections: ld reports these only if the sections that use them are kept, which is not "
                + "predicted here; a warning, not a predicted failure.";
        }
        if (u.Warning)
        {
            return "--warn-unresolved-symbols turns these into warnings: the link succeeds, and the program fails "
                + "when a missing symbol is first used.";
        }
        return u.FromObject
            ? null
            : "ld checks the undefined symbols of shared libraries when it links an executable "
                + "(--no-allow-shlib-undefined is the default there).";
    }

    private Finding VersionMissing(SymbolVersionMissing v)
    {
        string first = v.Symbols[0] + "@" + v.Version;
        string provided = v.ProvidedVersions.Count == 0 ? "no versions" : string.Join(", ", v.ProvidedVersions);
        var (suggestions, notes) = symbolAdvisor?.ForVersion(v) ?? ([], []);
        return new Finding
        {
            Code = DiagnosticCodes.SymbolVersionMissing,
            Severity = v.Warning ? Severity.Warning : Severity.Error,
            Message = $"{v.ReferencedBy} needs version {v.Version} of {FirstFew(v.Symbols)}; "
                + $"{v.Provider} provides {provided}",
            LdMessage = Lld
                ? $"{v.ReferencedBy}: undefined reference to {first} [--no-allow-shlib-undefined]"
                : $"{v.ReferencedBy}: undefined reference to `{first}'",
            Library = v.ReferencedBy,
            NeededBy = v.Provider,
            Chain = [Path.GetFileName(Output), Path.GetFileName(v.ReferencedBy), v.Version],
            Suggestions = suggestions,
            Notes = notes,
            Symbols = v.Symbols.Select(s => s + "@" + v.Version).ToList(),
            NeededVersion = v.Version,
            ProvidedVersions = v.ProvidedVersions,
        };
    }

    private Finding DsoMissing(DsoMissingFromCommandLine d)
    {
        string lib = Path.GetFileName(d.Library.Path);
        string neededBy = (d.Library.NeededBy ?? d.RevivedFor) is { } by ? Path.GetFileName(by.Path)
            : "another library";
        string where = d.RevivedFor is null ? $"which is not on the command line (only a dependency of {neededBy})"
            : $"which --as-needed dropped from the command line, where it comes before anything uses it (ld loaded "
                + $"it again only as a dependency of {neededBy})";
        var (suggestions, notes) = symbolAdvisor?.ForDsoMissing(d) ?? ([], []);
        if (!Lld)
            notes.Insert(0, $"ld then says: {d.Library.Spelling}: error adding symbols: DSO missing from command line");
        return new Finding
        {
            Code = DiagnosticCodes.DsoMissingFromCommandLine,
            Severity = Severity.Error,
            Message = $"{d.ReferencedBy} uses {FirstFew(d.Symbols)} from {lib}, {where}: DSO missing from command "
                + "line",
            LdMessage = Lld
                ? $"undefined symbol: {d.Symbols[0]}"
                : $"{d.FirstReferrer ?? d.ReferencedBy}: undefined reference to symbol "
                    + $"'{d.FirstSymbolAsDefined ?? d.Symbols[0]}'",
            Library = lib,
            NeededBy = d.Library.NeededBy?.Spelling,
            Chain = [.. d.Library.Chain(Output)],
            Suggestions = suggestions,
            Notes = notes,
            Symbols = d.Symbols,
        };
    }

    private Finding MayConflict(NeededMayConflict c) => new()
    {
        Code = DiagnosticCodes.NeededMayConflict,
        Severity = Severity.Warning,
        Message = $"{c.Name} (needed by {Path.GetFileName(c.By.Path)}) and {c.ConflictsWith} are two versions "
            + $"of one library in {Path.GetFileName(Output)}",
        LdMessage = $"warning: {c.Name}, needed by {c.By.Spelling}, may conflict with {c.ConflictsWith}",
        Library = c.Name,
        NeededBy = c.By.Spelling,
        Chain = [.. c.By.Chain(Output), c.Name],
        Notes =
        [
            "both end up in the process; symbols resolve to whichever loads first. "
                + $"Rebuild {Path.GetFileName(c.By.Path)} against {c.ConflictsWith}, or link against {c.Name} only.",
        ],
    };

    private Finding Unusable(InputUnusable u) => new()
    {
        Code = DiagnosticCodes.InputUnusable,
        Severity = Severity.Error,
        Message = u.Detail is null ? u.Reason : $"{u.Reason} ({u.Detail})",
        LdMessage = u.Unworded ? "" : u.Reason,
        Library = u.Path,
        Chain = [Path.GetFileName(Output), u.Path],
        Notes = u.Detail is null ? [] : [u.Detail + "."],
    };

    private static List<SearchedDirectory> Trace(IReadOnlyList<SearchAttempt> attempts) =>
        attempts.Select(a => new SearchedDirectory(
            a.Directory.Length == 0 ? "(current directory)" : a.Directory, a.RuleText, Result(a))).ToList();

    private static string Result(SearchAttempt a) => a.Outcome switch
    {
        AttemptOutcome.Absent => $"no {Path.GetFileName(a.Candidate)}",
        AttemptOutcome.Incompatible => $"{Path.GetFileName(a.Candidate)} is {a.Detail} (skipped)",
        AttemptOutcome.NotSharedObject => $"{Path.GetFileName(a.Candidate)}: {a.Detail}",
        AttemptOutcome.Unreadable => $"{Path.GetFileName(a.Candidate)} unreadable: {a.Detail}",
        AttemptOutcome.RejectedFirstPass => $"{Path.GetFileName(a.Candidate)}: {a.Detail}",
        _ => $"found {Path.GetFileName(a.Candidate)}",
    };
}
