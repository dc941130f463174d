using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// <c>nativelinkguard runtime</c>: will ld.so load each file where it is deployed? Emulates the load
/// (<see cref="RuntimeResolver"/>), turns each failure into a finding with the chain and the directories searched,
/// and offers fixes that are re-checked by loading again with the fix applied. Parsed files and the loader probe are
/// shared by every file of one run; listings, the cache and the search memos by every file one walker takes. Many
/// files may be walked on several threads (<see cref="CheckEach"/>); findings are then built in order on one, so the
/// report does not depend on the split.
/// </summary>
public sealed class RuntimeChecker
{
    // Below this many roots per extra thread, a second walker's cold caches cost more than the thread saves.
    private const int RootsPerWalker = 64;
    // One walker unless asked: measured on 2 shared cores over the 1,040-library benchmark tree, a second walker
    // repeats the first one's searches in its own memos and keeps reports of the roots it walks ahead alive: half
    // again the CPU time and 26 MB instead of 20 MB peak for text, twice the CPU and 70 MB instead of 36 MB for JSON,
    // and no shorter wall time on a loaded machine.
    private const int DefaultWalkers = 1;
    private readonly RuntimeRequest _request;
    private readonly LoaderEnvironments _environments;
    private readonly RuntimeWalker _walker;
    private readonly LibraryFileCache _files;
    // A missing library needed by the same file gets the same finding in every root that loads that file.
    private readonly Dictionary<(string Name, string NeededBy), Finding> _notFound = new();

    // files: a run's cache, when the check is part of a link check (predicted files live there); else its own.
    public RuntimeChecker(RuntimeRequest request, LibraryFileCache? files = null)
    {
        _request = request;
        _files = files ?? new LibraryFileCache();
        _environments = new LoaderEnvironments(request);
        _walker = new RuntimeWalker(request, _environments, _files);
    }

    public RuntimeFileReport Check(string file) => Report(_walker.Walk(file));

    /// <summary>Checks every file (on up to MAXTHREADS walkers); reports in the order given.</summary>
    public IReadOnlyList<RuntimeFileReport> CheckAll(IReadOnlyList<string> files, int? maxThreads = null) =>
        CheckEach(files, maxThreads).ToList();

    /// <summary>
    /// Checks every file (on up to MAXTHREADS walkers) and yields each report in the order given as soon as it is
    /// made: a caller that writes and drops each one holds one root's report at a time, not all. With one walker and
    /// many files (and MAXTHREADS not 1), a second thread reads the files ahead (<see cref="RootPrefetcher"/>).
    /// </summary>
    public IEnumerable<RuntimeFileReport> CheckEach(IReadOnlyList<string> files, int? maxThreads = null)
    {
        int threads = Math.Min(maxThreads ?? DefaultWalkers, files.Count / RootsPerWalker);
        _files.ExpectFiles(2 * files.Count); // each root and the SONAME link beside it (2 per root on the tree)
        if (threads <= 1)
        {
            _walker.ExpectedRoots = files.Count;
            // One walker: the second core reads the roots ahead of it (as many as a second walker would need).
            using var prefetch = files.Count >= RootsPerWalker && maxThreads is not 1
                ? RootPrefetcher.Start(_files, _walker.Directories, files,
                    _request.WorkingDirectory) : null;
            foreach (var file in files) yield return Check(file);
            yield break;
        }
        var walkers = new List<RuntimeWalker> { _walker };
        while (walkers.Count < threads) walkers.Add(new RuntimeWalker(_request, _environments, _files));
        foreach (var w in walkers) w.ExpectedRoots = files.Count / threads;
        // A report builds its findings from the root's walker (its resolver and listings): not while that walker's
        // thread walks another root.
        foreach (var root in new WalkPipeline(files, walkers).Roots())
        {
            RuntimeFileReport report;
            lock (root.Walker) report = Report(root);
            yield return report;
        }
    }

    private RuntimeFileReport Report(WalkedRoot root)
    {
        if (root.RootError is { } error) return Unloadable(root.File, error);
        var (env, cache, resolution) = (root.Env!, root.Cache, root.Resolution!);
        var notes = Notes(env, cache);
        // A root that loads and names no stubs directory has nothing to advise on (most roots of a large run).
        if (root.Unresolved!.Count == 0 && !resolution.AnyMayNameStubs)
            return new RuntimeFileReport(root.File, true, [], root.Libraries!, notes);
        var findings = new List<Finding>();
        var advisor = new RuntimeFixAdvisor(env, root.Walker.Files, root.Walker.Directories, cache,
            _request.HintDirectories, resolution);
        foreach (var lookup in root.Unresolved!)
        {
            if (lookup.FatalError is not null) findings.Add(advisor.Fatal(lookup));
            else if (DriverLibraries.IsDriverProvided(lookup.Name)) findings.Add(DriverProvided(lookup));
            else
            {
                // Fixes are verified against the first root that meets this gap; the chain is each root's own.
                var key = (lookup.Name, lookup.NeededBy.Path);
                if (!_notFound.TryGetValue(key, out var f)) _notFound[key] = f = advisor.NotFound(lookup);
                findings.Add(f with
                {
                    Chain = lookup.Chain,
                    Searched = lookup.Searched,
                    Message = advisor.NotFoundMessage(lookup)
                });
            }
        }
        findings.AddRange(advisor.StubsAtRunTime());
        return new RuntimeFileReport(root.File, !findings.Any(f => f.Severity == Severity.Error), findings,
            root.Libraries!, notes);
    }

    // The notes every report of one loader environment carries: the same list for each root, made once.
    private IReadOnlyList<string> Notes(LoaderEnvironment env, LdSoCacheIndex? cache)
    {
        if (_notes is { } known && ReferenceEquals(known.Env, env) && ReferenceEquals(known.Cache, cache))
            return known.Notes;
        var notes = new List<string>(env.Notes);
        if (!string.IsNullOrEmpty(env.LdLibraryPath)) notes.Add($"LD_LIBRARY_PATH={env.LdLibraryPath} (as " +
            $"configured for the deployment)");
        if (cache?.Error is { } ce) notes.Add(ce);
        _notes = (env, cache, notes);
        return notes;
    }

    private (LoaderEnvironment Env, LdSoCacheIndex? Cache, IReadOnlyList<string> Notes)? _notes;

    private static RuntimeFileReport Unloadable(string file, string why) => new(file, false,
        [new Finding
        {
            Code = DiagnosticCodes.NotLoadableAtRunTime, Severity = Severity.Error,
            Message = $"{file} cannot be loaded: {why}",
            Library = file, Chain = [Path.GetFileName(file)], LdMessage = why,
        }],
        [], []);

    private static Finding DriverProvided(RuntimeLookup l) => new()
    {
        Code = DiagnosticCodes.DriverLibraryAtRunTime, Severity = Severity.Info,
        Message = $"{l.Name}, needed by {l.NeededBy.FileName}, is installed by the GPU driver on the machine that " +
            "runs the program; it is not on this machine (expected on a build machine or CI runner without a GPU)",
        Library = l.Name, NeededBy = l.NeededBy.Path, Chain = l.Chain, Searched = l.Searched,
        Notes = [$"where the driver is installed, ld.so finds {l.Name} through /etc/ld.so.cache; never make a CUDA " +
            "toolkit's stubs directory stand in for it at run time (NLG0005)."],
        LdMessage = $"error while loading shared libraries: {l.Name}: cannot open shared object file: " +
            "No such file or directory",
    };
}
