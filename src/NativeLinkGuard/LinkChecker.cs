using System.Diagnostics;
using NativeLinkGuard.Commands;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard;

/// <summary>Input of one check: the link command as the build runs it, where, and with which environment.</summary>
public sealed record CheckRequest(
    IReadOnlyList<string> Command,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?> Environment,
    IReadOnlyList<string>? HintDirectories = null,
    // Where symlinks that fixes need are suggested; default: <c>WorkingDirectory/.nativelinkguard/lib</c>.
    string? PrivateLinkDirectory = null,
    // Skip the toolchain probe and use the built-in model (see BuiltInToolchain), with these SEARCH_DIRs if given.
    bool BuiltInModel = false,
    IReadOnlyList<string>? SearchDirectories = null,
    string? Sysroot = null,
    // The link's objects are not known (a declarative NativeLink item): --as-needed libraries are assumed used.
    bool ObjectsUnknown = false,
    // With ObjectsUnknown: the build's source text (what the objects could define), when known.
    Symbols.BuildSourceText? BuildSources = null);

/// <summary>
/// The one-way flow: expand (driver -###) → parse ld's argv → probe the linker → resolve like ld → diagnose.
/// One instance per run: it owns the caches (probes, files).
/// </summary>
public sealed class LinkChecker
{
    private readonly LinkerProbe _probe = new();
    private readonly LibraryFileCache _files = new();
    private readonly Dictionary<string, string> _linkerNames = new(StringComparer.Ordinal);
    private readonly Lazy<IReadOnlyList<string>> _systemCacheDirs = new(CandidateLocator.ReadSystemCacheDirectories);
    private readonly DirectoryListings _listings = new();
    private readonly ProjectTreeIndex _trees = new();

    /// <summary>
    /// The file cache of this run, shared by all its checks (front ends add predicted libraries to it).
    /// </summary>
    public LibraryFileCache Files => _files;

    /// <summary>Files and directories the reports of this checker depend on (for incremental builds).</summary>
    public IReadOnlyList<string> Dependencies() => _files.Dependencies();

    public LinkReport Check(CheckRequest request)
    {
        var sw = Stopwatch.StartNew();
        var notes = new List<string>();
        var responseDiagnostics = new List<ResponseFileDiagnostic>();
        var command = ResponseFiles.Expand(request.Command, request.WorkingDirectory, responseDiagnostics);
        notes.AddRange(responseDiagnostics.Select(d => $"{d.File}: {d.Message}"));
        if (!TryExpand(command, request, responseDiagnostics, notes, out var expanded, out var linker, out var failure))
        {
            return new LinkReport(
                OutputOf(command), PredictedOutcome.Fails, [failure!], null, command, notes, sw.ElapsedMilliseconds);
        }
        var ld = LdArgumentParser.Parse(expanded.LinkerArguments);
        if (ld.UnknownOptions.Count > 0) notes.Add("options not interpreted: " + string.Join(' ', ld.UnknownOptions));
        if (linker.Flavor is not (LinkerFlavor.Bfd or LinkerFlavor.Lld))
        {
            notes.Add($"the linker is {linker.Flavor}, not GNU ld (bfd) or lld: "
                + "predictions follow GNU ld's rules and may differ");
        }

        var ctx = new ResolverContext(ld, linker, request.WorkingDirectory, request.Environment)
        {
            LinkerArguments = expanded.LinkerArguments,
            ObjectsUnknown = request.ObjectsUnknown,
            BuildSources = request.BuildSources,
        };
        var resolved = new LinkResolver(ctx, _files).Resolve();
        notes.AddRange(resolved.Notes);
        var findings = Diagnose(request, command, expanded, ctx, resolved, out var outcome);

        var summary = new LinkerSummary(
            linker.Path, linker.Version, linker.TargetName, ctx.Sysroot, linker.IsNative, !request.BuiltInModel);
        var libraries = resolved.Libraries
            .Select(l => new LinkedLibrary(l.Path, l.Elf.Soname, l.Input is not null, l.DroppedByAsNeeded)).ToList();
        return new LinkReport(
            ld.Output ?? "a.out", outcome, findings, summary, expanded.LinkerArguments, notes, sw.ElapsedMilliseconds)
        {
            Libraries = libraries,
            PredictedOutput = LinkOutput.Predict(ctx, resolved),
        };
    }

    /// <summary>
    /// The linker's own argv and configuration: from the built-in model, or asked of the toolchain (driver -###
    /// expansion, then the linker's own configuration).
    /// </summary>
    private bool TryExpand(
        IReadOnlyList<string> command,
        CheckRequest request,
        List<ResponseFileDiagnostic> responseDiagnostics,
        List<string> notes,
        out ExpandedLink expanded,
        out LinkerInfo linker,
        out Finding? failure)
    {
        failure = null;
        if (request.BuiltInModel)
        {
            var args = BuiltInToolchain.TranslateDriverArguments(command);
            if (request.Sysroot is not null) args.Add("--sysroot=" + request.Sysroot);
            expanded = new ExpandedLink(args, "ld", !DriverExpansion.IsLinker(command[0]), null, []);
            linker = BuiltInToolchain.Linker(request.SearchDirectories);
        }
        else
        {
            try
            {
                expanded = DriverExpansion.Expand(command, request.WorkingDirectory, request.Environment, _linkerNames);
                notes.AddRange(expanded.Notes);
                var ldArgs = ResponseFiles.Expand(
                    expanded.LinkerArguments, request.WorkingDirectory, responseDiagnostics);
                expanded = expanded with { LinkerArguments = ldArgs };
                var emulation = LdArgumentParser.Parse(ldArgs).Emulation;
                linker = _probe.Probe(expanded.LinkerPath, emulation, request.Environment);
            }
            catch (ToolchainException e)
            {
                expanded = null!;
                linker = null!;
                failure = Finding.CheckFailed($"the link could not be checked: {e.Message}");
                return false;
            }
            _files.Depend(expanded.LinkerPath);
            if (expanded.DriverPath is { } driver) _files.Depend(driver);
        }
        notes.AddRange(linker.ProbeNotes);
        foreach (var a in command.Where(a => a.StartsWith('@')))
            _files.Depend(Path.Combine(request.WorkingDirectory, a[1..]));
        return true;
    }

    /// <summary>
    /// The findings of a resolved link, each fix verified; the outcome is decided by the link-time ones.
    /// </summary>
    private List<Finding> Diagnose(
        CheckRequest request,
        IReadOnlyList<string> command,
        ExpandedLink expanded,
        ResolverContext ctx,
        ResolvedLink resolved,
        out PredictedOutcome outcome)
    {
        var ld = ctx.Request;
        string privateDir = request.PrivateLinkDirectory
            ?? Path.Combine(request.WorkingDirectory, ".nativelinkguard", "lib");
        var render = new FlagRenderer(expanded.ViaDriver, ld.Shared);
        var locator = new CandidateLocator(
            ctx, _files, request.HintDirectories ?? [], () => _systemCacheDirs.Value, _listings, _trees);
        var advisor = new FixAdvisor(ctx, locator, render, privateDir);
        var factory = new FindingFactory(ctx, advisor, new SymbolFixAdvisor(ctx, locator, render, _files));
        var verifier = new SuggestionVerifier(
            ctx with { DriverArguments = expanded.ViaDriver ? command : null }, _files, expanded.ViaDriver);
        var findings = resolved.Problems.Where(Reported).Select(p => verifier.Verify(factory.Create(p), p)).ToList();
        findings.AddRange(resolved.SymbolReadErrors.Select(e => SymbolsUnreadable(e, ld.Output)));
        outcome = findings.Any(f => f.Severity == Severity.Error) ? PredictedOutcome.Fails : PredictedOutcome.Succeeds;
        if (ld.AllowShlibUndefined == true && !ld.Shared) findings.Add(ShlibUndefinedAllowed());
        // Where the linker does not look, the run-time load of the program is what can be predicted.
        if (OutputLoadPredictor.Applies(ctx) && outcome == PredictedOutcome.Succeeds)
        {
            var hints = request.HintDirectories?.Select(ctx.Absolute).ToList() ?? [];
            findings.AddRange(OutputLoadPredictor.Predict(ctx, resolved, _files, hints,
                name => locator.ForFile(name, ctx.Linker.IsTarget)
                    .Where(c => c.Match == CandidateMatch.FileName && c.Elf is { IsSharedObject: true }
                        && !CandidateLocator.IsStubsDirectory(c.Directory))
                    .Select(c => c.Directory)));
        }
        findings.AddRange(StubsRunPath.ForLinkRpath(ctx, _listings));
        findings.AddRange(StubsInLibraryRunPaths(ctx, resolved));
        return findings;
    }

    /// <summary>
    /// lld never searches DT_NEEDED and says nothing about one (ld-rules §9.1): the run-time prediction covers it.
    /// </summary>
    private static bool Reported(LinkProblem p) => p is not NeededNotFound { Lld: true };

    /// <summary>NLG0014 as a warning: a file whose symbols cannot be read; the file-level rules still hold.</summary>
    private static Finding SymbolsUnreadable(string error, string? output) => new()
    {
        Code = DiagnosticCodes.InputUnusable,
        Severity = Severity.Warning,
        Message = $"symbols could not be read: {error}; symbol-level prediction was skipped for this link",
        LdMessage = "",
        Library = error.Split(':')[0],
        Chain = [Path.GetFileName(output ?? "a.out")],
        Notes = ["the file-level rules still apply; ld itself may reject this file."],
    };

    /// <summary>
    /// NLG0015: --allow-shlib-undefined (conda puts it in LDFLAGS) on an executable: ld skips the DT_NEEDED check.
    /// </summary>
    private static Finding ShlibUndefinedAllowed() => new()
    {
        Code = DiagnosticCodes.ShlibUndefinedAllowed,
        Severity = Severity.Info,
        Message = "--allow-shlib-undefined makes ld skip the DT_NEEDED check of shared libraries: a missing "
            + "dependency links, then fails when the program is loaded; NativeLinkGuard predicts that load instead "
            + "(NLG0012)",
        LdMessage = "",
        Notes =
        [
            "ld says nothing about it.",
            "conda's LDFLAGS contain it; remove it (or add -Wl,--no-allow-shlib-undefined) to make ld check again.",
        ],
    };

    /// <summary>
    /// NLG0005 for a linked library whose own DT_RUNPATH/DT_RPATH reaches a stubs directory (CMake's build RPATH of
    /// a library that linked the stub by path): the program loads that library, and ld.so then searches the stubs
    /// directory for its dependencies. Reported once per library.
    /// </summary>
    private static IEnumerable<Finding> StubsInLibraryRunPaths(ResolverContext ctx, ResolvedLink resolved)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var lib in resolved.Libraries)
        {
            // A predicted library's run path comes from its own link, which gets this finding itself.
            if (lib.Elf.PredictedFrom is not null || !seen.Add(lib.Path)) continue;
            string origin = Path.GetDirectoryName(Path.GetFullPath(lib.Path)) ?? "/";
            if (StubsRunPath.ForObject(lib.Path, lib.Elf, e => RunPaths.ExpandForLoader(e, origin, null, null),
                ctx.WorkingDirectory, [Path.GetFileName(lib.Path)], atRunTime: false) is { } finding)
                yield return finding;
        }
    }

    private static string OutputOf(IReadOnlyList<string> command)
    {
        for (int i = 0; i < command.Count - 1; i++)
            if (command[i] == "-o") return command[i + 1];
        return "a.out";
    }
}
