using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// NLG0005, its one implementation: a run-time path (an object's DT_RUNPATH/DT_RPATH, the link's -rpath,
/// LD_LIBRARY_PATH) that reaches a stubs directory. A stub (CUDA's lib64/stubs/libcuda.so) has the driver's SONAME
/// but no implementation: it is for linking only, and ld.so must never load it. The link-time check
/// (<see cref="LinkChecker"/>) and the run-time one (the runtime engine's advisor) both ask here.
/// </summary>
public static class StubsRunPath
{
    private const string StubNote = "a stub (CUDA's lib64/stubs/libcuda.so) has the driver's SONAME but no " +
        "implementation: loaded at run time, every call fails with 'CUDA driver is a stub library'.";

    /// <summary>
    /// A stubs directory: DIR, as written, has a path component named stubs, and holds libraries (a relative DIR is
    /// looked up under WORKINGDIRECTORY).
    /// </summary>
    public static bool IsStubsDirectory(string dir, string workingDirectory)
    {
        if (!dir.Contains("stubs", StringComparison.Ordinal) || !CandidateLocator.IsStubsDirectory(dir)) return false;
        string abs = dir.StartsWith('/') ? dir : workingDirectory.TrimEnd('/') + "/" + dir;
        try { return Directory.Exists(abs) && Directory.EnumerateFiles(abs, "lib*.so*").Any(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// NLG0005 for an object whose own run path (the one ld.so reads: <see cref="RunPaths.EffectiveList"/>) reaches a
    /// stubs directory; null when it does not. EXPAND: an element with $ORIGIN and the other tokens expanded (a
    /// relative one is under WORKINGDIRECTORY). CHAIN: who loads the object. LOADEDSTUB: the stub ld.so loads from
    /// there, when the load is known (run time). VERIFY: whether the emulated load with the run path this fix writes
    /// loads no stub (null: the fix is offered unverified, at link time).
    /// </summary>
    public static Finding? ForObject(string path, ElfFile elf, Func<string, string> expand, string workingDirectory,
        IReadOnlyList<string> chain, bool atRunTime, Func<string?>? loadedStub = null,
        Func<string, bool>? verify = null)
    {
        if (RunPaths.EffectiveList(elf) is not { } list) return null;
        string tag = list.Rule == SearchRule.Runpath ? "DT_RUNPATH" : "DT_RPATH";
        var elements = RunPaths.Split(list.List);
        var stubs = elements.Where(e => e.Length > 0 && IsStubsDirectory(expand(e), workingDirectory)).ToList();
        if (stubs.Count == 0) return null;
        string name = Path.GetFileName(path);
        string kept = string.Join(':', elements.Where(e => !stubs.Contains(e)));
        var fix = new Suggestion(SuggestionQuality.Proper,
            $"remove {string.Join(", ", stubs)} from the {tag} of {name}: link the stub with -L<stubs> -l<name> " +
                "(CMake adds no run path for -l) or set BUILD_RPATH/INSTALL_RPATH without it; use -Wl,-rpath-link " +
                "for link-time lookups",
            [], "a stubs directory holds link-time stand-ins; at run time ld.so must find the driver's library " +
                "through ld.so.cache.")
        {
            Commands = [kept.Length == 0 ? $"patchelf --remove-rpath {ShellQuote.Quote(path)}"
                : $"patchelf --set-rpath {ShellQuote.Quote(kept)} {ShellQuote.Quote(path)}"],
            Verified = verify?.Invoke(kept) == true,
        };
        string? stub = loadedStub?.Invoke();
        return new Finding
        {
            Code = DiagnosticCodes.StubsInRuntimePath, Severity = Severity.Warning,
            Message = stub is not null
                ? $"{name}'s {tag} {string.Join(':', stubs)} is a stubs directory, and ld.so loads the stub {stub} " +
                    "from it instead of the driver's library"
                : $"{name}'s {tag} {string.Join(':', stubs)} puts a stubs directory into the run-time search path " +
                    "of every program that loads it",
            Library = name, Chain = chain,
            Suggestions = verify is null || fix.Verified ? [fix] : [],
            Notes = atRunTime ? [StubNote]
                : [StubNote, "`nativelinkguard runtime` on the built file shows what ld.so then loads."],
            // Neither tool says anything: ld accepts the run path, ld.so loads whatever it finds first.
            LdMessage = "",
        };
    }

    /// <summary>
    /// NLG0005 for the -rpath of a link: the output will search that stubs directory at run time (CMake adds one when
    /// a stub is linked by full path).
    /// </summary>
    public static IEnumerable<Finding> ForLinkRpath(ResolverContext ctx, DirectoryListings listings)
    {
        string output = Path.GetFileName(ctx.Request.Output ?? "a.out");
        var dirs = ctx.Request.Rpath.SelectMany(RunPaths.Split).Where(d => d.Length > 0)
            .Distinct(StringComparer.Ordinal).Select(ctx.Absolute);
        foreach (var abs in dirs.Where(d => IsStubsDirectory(d, ctx.WorkingDirectory)))
        {
            string[] stubs = listings.Files(abs, "lib*.so*").Select(Path.GetFileName).OfType<string>()
                .Order(StringComparer.Ordinal).ToArray();
            if (stubs.Length == 0) continue;
            var fix = new Suggestion(SuggestionQuality.Proper,
                $"keep {abs} out of the run-time path: link the stub with -L{abs} -l{StubName(stubs[0])} (CMake adds "
                    + "no run-time path for -l), or set the target's BUILD_RPATH/INSTALL_RPATH without it; use "
                    + "-rpath-link for link-time lookups",
                [],
                "a stubs directory holds link-time stand-ins (libcuda.so here); at run time the loader must find the "
                    + "driver's real library, not a stub.");
            yield return new Finding
            {
                Code = DiagnosticCodes.StubsInRuntimePath,
                Severity = Severity.Warning,
                Message = $"-rpath {abs} puts a stubs directory ({string.Join(", ", stubs.Take(3))}) into the "
                    + $"run-time search path of {output}",
                LdMessage = "",
                Library = stubs[0],
                Chain = [output],
                Suggestions = [fix],
                Notes =
                [
                    "at run time a stub can shadow the driver's library (a stub libcuda.so.1 there, or "
                        + "LD_LIBRARY_PATH built from it), and CUDA then fails with 'stub library' errors.",
                ],
            };
        }
    }

    /// <summary>NLG0005 for LD_LIBRARY_PATH at run time.</summary>
    public static Finding? ForLdLibraryPath(string ldLibraryPath, string workingDirectory)
    {
        string? stubs = RunPaths.SplitLdLibraryPath(ldLibraryPath)
            .FirstOrDefault(e => IsStubsDirectory(e, workingDirectory));
        if (stubs is null) return null;
        return new Finding
        {
            Code = DiagnosticCodes.StubsInRuntimePath, Severity = Severity.Warning,
            Message = $"LD_LIBRARY_PATH reaches the stubs directory {stubs} at run time",
            Library = stubs,
            Notes = ["keep stubs directories out of the run-time environment; use -Wl,-rpath-link at link " +
                "time only."],
            LdMessage = "",
        };
    }

    private static string StubName(string file) =>
        file.StartsWith("lib", StringComparison.Ordinal) && file.Contains(".so", StringComparison.Ordinal)
            ? file[3..file.IndexOf(".so", StringComparison.Ordinal)]
            : file;
}
