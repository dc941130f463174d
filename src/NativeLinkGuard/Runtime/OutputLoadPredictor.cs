using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Where the linker does not search DT_NEEDED (lld; GNU ld under --allow-shlib-undefined) it is silent, and the
/// question left is whether the program will load. The program's dynamic section is predicted from what the link
/// writes into it (<see cref="LinkOutput"/>) and its load emulated with the runtime engine:
/// NLG0012 where ld.so would fail, NLG0013 for GPU driver libraries.
/// </summary>
public static class OutputLoadPredictor
{
    /// <summary>ld and lld leave the DT_NEEDED check out of this link; only an executable is loaded on its
    /// own.</summary>
    public static bool Applies(ResolverContext ctx)
    {
        var req = ctx.Request;
        if (req.Shared || req.StaticLink || req.Relocatable) return false;
        return ctx.Linker.Flavor == LinkerFlavor.Lld || !req.ChecksSharedLibraryDependencies;
    }

    /// <summary>
    /// The run-time findings for the program this link writes. Its own libraries that are not on its run path are
    /// taken to be where the link found them (as LD_LIBRARY_PATH or an install would place them): ld never checks
    /// that either, and the question here is what the skipped DT_NEEDED check would have said.
    /// The link's candidate locator (<paramref name="locate"/>) says where a missing library is kept, so the fixes
    /// can name that directory.
    /// </summary>
    public static IReadOnlyList<Finding> Predict(ResolverContext ctx, ResolvedLink resolved, LibraryFileCache files,
        IReadOnlyList<string> hintDirectories,
        Func<string, IEnumerable<string>> locate)
    {
        string output = ctx.Absolute(ctx.Request.Output ?? "a.out");
        files.AddVirtual(output, LinkOutput.Predict(ctx, resolved));
        string sysroot = ctx.Linker.IsNative ? "" : ctx.Sysroot;
        var request = new RuntimeRequest
        {
            WorkingDirectory = ctx.WorkingDirectory, Sysroot = sysroot,
            IncludeLibraries = false, HintDirectories = hintDirectories
        };
        var first = new RuntimeChecker(request, files).Check(output);
        var direct = DirectLibraryDirectories(ctx, first, resolved, output);
        if (direct.Count > 0) request = request with { LdLibraryPath = string.Join(':', direct) };
        var report = direct.Count == 0 ? first : new RuntimeChecker(request, files).Check(output);
        // The runtime advisor looks next to the loaded objects; the link's locator knows where users keep libraries.
        var missing = report.Findings.Where(f => f.Code == DiagnosticCodes.NotLoadableAtRunTime).Select(f => f.Library)
            .Distinct(StringComparer.Ordinal).ToList();
        var found = missing.SelectMany(locate).Except(hintDirectories,
            StringComparer.Ordinal).Distinct(StringComparer.Ordinal).ToList();
        if (found.Count > 0) report = new RuntimeChecker(request with
        {
            HintDirectories = [.. hintDirectories,
            .. found]
        }, files).Check(output);
        string? assumed = direct.Count == 0 ? null
            : $"the program's own libraries are assumed where the link found them ({string.Join(':', direct)}, as " +
                $"if on LD_LIBRARY_PATH): they are not on its run path.";
        var findings = new List<Finding>();
        // A library the build has not produced yet (a CMake target's SONAME link) is absent from every directory now.
        foreach (var f in report.Findings.Where(f => f.Code is DiagnosticCodes.NotLoadableAtRunTime
            or DiagnosticCodes.DriverLibraryAtRunTime
                     && !files.IsPredictedName(f.Library)))
        {
            var notes = new List<string> { LinkerSilence(ctx) };
            if (assumed is not null) notes.Add(assumed);
            notes.AddRange(f.Notes);
            findings.Add(f with
            {
                Severity = f.Severity == Severity.Error ? Severity.Warning : f.Severity,
                Message = "run time: " + f.Message,
                // The fixes are for the library that needs the missing one (relink it, or patchelf it): their flags
                // belong to that library's link, not to this one, and the program does not exist yet to be patched.
                Suggestions = f.Suggestions.Select(s => s with
                {
                    Flags = [],
                    CMake = null,
                    LdFlags = null,
                    Commands = s.Commands?.Where(x => !x.Contains(ShellQuote.Quote(output),
                        StringComparison.Ordinal)).ToList(),
                }).ToList(),
                Notes = notes,
            });
        }
        return findings;
    }

    private static string LinkerSilence(ResolverContext ctx) => ctx.Linker.Flavor == LinkerFlavor.Lld
        ? "lld never searches DT_NEEDED and says nothing about it; this is what ld.so will do with the program it " +
            "writes."
        : "--allow-shlib-undefined makes ld skip the DT_NEEDED search and say nothing; this is what ld.so will do " +
            "with the program it writes.";

    /// <summary>Where the link found the program's own libraries that ld.so does not find through its run
    /// path.</summary>
    private static List<string> DirectLibraryDirectories(ResolverContext ctx, RuntimeFileReport first,
        ResolvedLink resolved, string output)
    {
        var dirs = new List<string>();
        foreach (var f in first.Findings.Where(f => f.Code == DiagnosticCodes.NotLoadableAtRunTime
            && f.NeededBy == output))
        {
            var lib = resolved.Libraries.FirstOrDefault(l => l.Input is not null
                && (l.Elf.Soname ?? Path.GetFileName(l.Path)) == f.Library);
            if (lib is not null && Path.GetDirectoryName(ctx.Absolute(lib.Path)) is { } d
                && !dirs.Contains(d)) dirs.Add(d);
        }
        return dirs;
    }
}
