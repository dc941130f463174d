using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Symbols;

namespace NativeLinkGuard.Resolution;

/// <summary>The DT_NEEDED walk (ldelf_after_open, ldelf_search_needed): ld-rules §4.</summary>
public sealed partial class LinkResolver
{
    private void WalkNeeded()
    {
        var processed = new HashSet<string>(StringComparer.Ordinal);
        // Found DT_NEEDED libraries join the walk with their own entries (to any depth), in ld's order.
        var walk = new Queue<ResolvedLibrary>(_libraries.Where(l => !l.DroppedByAsNeeded));
        var revived = new HashSet<ResolvedLibrary>();
        while (walk.TryDequeue(out var by))
        {
            if (!ChecksNeededOf(by)) continue;
            foreach (var name in by.Elf.Needed)
            {
                if (!processed.Add(name)) continue;
                if (IsSatisfiedByLoaded(name))
                {
                    // An input --as-needed dropped that satisfies NAME is loaded now ("found libx.so.1 at dir/libx.so"
                    // in ld --verbose), and its own DT_NEEDED entries are searched like any found library's.
                    if (NeededWalkOrder.Revived(_libraries, name) is { } dropped && revived.Add(dropped))
                        walk.Enqueue(dropped);
                    continue;
                }
                var attempts = new List<SearchAttempt>();
                var found = SearchNeeded(name, by, attempts);
                if (found is null)
                {
                    _problems.Add(new NeededNotFound(name, by, attempts) { LoadedBefore = _libraries.Count });
                    continue;
                }
                if (MayConflict(found) is { } other)
                    _problems.Add(new NeededMayConflict(name, by, found.Path, other));
                AddLibrary(found);
                walk.Enqueue(found);
            }
        }
    }

    /// <summary>ld-rules §4.12: a found DT_NEEDED whose libX.so. stem matches a loaded library of another
    /// version.</summary>
    private string? MayConflict(ResolvedLibrary found)
    {
        string name = found.NeededName ?? "";
        int so = name.IndexOf(".so.", StringComparison.Ordinal);
        if (so < 0) return null;
        string stem = name[..(so + 4)];
        foreach (var l in _libraries)
            if ((l.Elf.Soname ?? Path.GetFileName(l.Path)) is { } s && s.StartsWith(stem, StringComparison.Ordinal)
                && s != name)
                return s;
        return null;
    }

    /// <summary>
    /// ld skips a library's DT_NEEDED when shared-library undefineds are ignored (-shared default,
    /// --allow-shlib-undefined) and the library was loaded without --copy-dt-needed-entries (ld-rules §5).
    /// </summary>
    private bool ChecksNeededOf(ResolvedLibrary lib) => WalksNeededOf(ctx.Request, lib);

    /// <summary>Whether ld walks LIB's DT_NEEDED entries in REQUEST's link (ld-rules §5): the one statement of the
    /// rule, for the walk here and for the order in which the symbol model joins what it loads.</summary>
    internal static bool WalksNeededOf(LinkRequest request, ResolvedLibrary lib) =>
        request.ChecksSharedLibraryDependencies || lib.CopyDtNeeded;

    /// <summary>ld-rules §4.2: an input whose SONAME (or, without one, its name as given or found) equals
    /// NAME.</summary>
    private readonly HashSet<string> _satisfies = new(StringComparer.Ordinal);

    /// <summary>
    /// Records what NAMEs a loaded library satisfies (ld-rules §4.2): its SONAME, or without one its name as given
    /// and, when found by -l/-l:, its file name. A set, so the DT_NEEDED walk stays linear in the number of libraries.
    /// </summary>
    private void AddLibrary(ResolvedLibrary lib)
    {
        _libraries.Add(lib);
        _satisfies.UnionWith(lib.NeededNamesSatisfied());
    }

    private bool IsSatisfiedByLoaded(string name) => _satisfies.Contains(name);

    private ResolvedLibrary? SearchNeeded(string name, ResolvedLibrary by, List<SearchAttempt> attempts)
    {
        if (name.StartsWith('/'))
        {
            // An absolute NAME is opened as is, never searched (ld-rules §4.7).
            return TryNeededCandidates([(name,
                new SearchDirectory(Path.GetDirectoryName(name) ?? "/", SearchRule.AbsoluteName))], name, by, attempts);
        }
        var candidates = new List<(string, SearchDirectory)>();
        foreach (var dir in Lists.NeededSearchList(by))
            candidates.Add((dir.Path.Length == 0 ? ctx.Absolute(name) : Path.Combine(dir.Path, name), dir));
        return TryNeededCandidates(candidates, name, by, attempts);
    }

    /// <summary>
    /// How ld spells a library it found for a DT_NEEDED (in "needed by" and "undefined reference" lines): the search
    /// element as written, "/" and NAME, unnormalised ("deps/libx.so.1", "/opt/lib//libx.so.1"); NAME alone for an
    /// empty element (ldelf_search_needed).
    /// </summary>
    private static string NeededSpelling(SearchDirectory dir, string name, string path) =>
        dir.Rule == SearchRule.AbsoluteName ? path : dir.Written is null ? path : dir.Written.Length == 0 ? name
            : dir.Written + "/" + name;

    /// <summary>ld's two passes (ld-rules §4.10): the first rejects candidates that look wrong for this link.
    /// </summary>
    private ResolvedLibrary? TryNeededCandidates(List<(string Path, SearchDirectory Dir)> candidates, string name,
        ResolvedLibrary by, List<SearchAttempt> attempts)
    {
        var rejected = new List<int>();
        for (int i = 0; i < candidates.Count; i++)
        {
            var (path, dir) = candidates[i];
            var f = files.Get(path);
            var outcome = NeededOutcome(f, out string? detail);
            if (outcome == AttemptOutcome.Accepted && FirstPassRejects(f.Elf!, out string? why))
            {
                rejected.Add(i);
                attempts.Add(dir.Attempt(path, AttemptOutcome.RejectedFirstPass, why));
                continue;
            }
            attempts.Add(dir.Attempt(path, outcome, detail));
            if (outcome == AttemptOutcome.Accepted) return Found(path, dir, f, name, by);
        }
        if (rejected.Count > 0)
        {
            var (path, dir) = candidates[rejected[0]];
            var f = files.Get(path);
            attempts.Add(dir.Attempt(path, AttemptOutcome.Accepted, "second pass"));
            return Found(path, dir, f, name, by);
        }
        return null;
    }

    private ResolvedLibrary Found(string path, SearchDirectory dir, LibraryFile f, string name,
        ResolvedLibrary by) => new()
        {
            Path = path,
            Spelling = NeededSpelling(dir, name, path),
            Elf = f.Elf!,
            NeededBy = by,
            NeededName = name,
            FoundBy = dir.Rule,
            CopyDtNeeded = by.CopyDtNeeded,
            AsNeeded = by.AsNeeded,
        };

    private AttemptOutcome NeededOutcome(LibraryFile f, out string? detail)
    {
        detail = f.Error;
        if (f.Kind == LibraryFileKind.Unreadable) return AttemptOutcome.Unreadable;
        if (!f.Exists) return AttemptOutcome.Absent;
        if (f.Elf is not { } e)
        {
            detail = f.Kind == LibraryFileKind.Text ? "a linker script (not used for DT_NEEDED)"
            : f.Error ?? "not ELF"; return AttemptOutcome.NotSharedObject;
        }
        if (!IsTargetCompatible(e)) { detail = e.TargetName; return AttemptOutcome.Incompatible; }
        if (!e.IsSharedObject) { detail = "not a shared object"; return AttemptOutcome.NotSharedObject; }
        return AttemptOutcome.Accepted;
    }

    /// <summary>
    /// First pass of ldelf_search_needed (force == 0): reject a candidate that needs libX.so.M while libX.so.N is
    /// loaded, or (Linux) has DT_NEEDED entries but none starting with libc.so.
    /// </summary>
    private bool FirstPassRejects(ElfFile candidate, out string? why)
    {
        why = null;
        if (candidate.Needed.Count > 0 && !candidate.Needed.Any(n => n.StartsWith("libc.so", StringComparison.Ordinal)))
        {
            why = "has DT_NEEDED entries but none for libc.so (first pass)";
            return true;
        }
        foreach (var n in candidate.Needed)
        {
            int so = n.IndexOf(".so.", StringComparison.Ordinal);
            if (so < 0) continue;
            string stem = n[..(so + 4)];
            foreach (var l in _libraries)
                if (l.Elf.Soname is { } s && s.StartsWith(stem, StringComparison.Ordinal) && s != n)
                {
                    why = $"needs {n} while {s} is loaded (first pass)";
                    return true;
                }
        }
        return false;
    }
}
