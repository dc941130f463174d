using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// Ranked, concrete fixes (ld-rules §8). Proper fixes first, for the candidate found first where users keep libraries
/// (<see cref="CandidateLocator"/>); a workaround is offered only after a proper fix, and where nothing was found the
/// finding says where we looked and how to point us at the library instead. A flag that cannot work is never
/// suggested, and is named as a non-fix when the user is likely to try it (LIBRARY_PATH or -L for a DT_NEEDED).
/// </summary>
public sealed class FixAdvisor(
    ResolverContext ctx, CandidateLocator locator, FlagRenderer render, string privateLinkDirectory)
{
    private bool Compatible(ElfFile e) => ctx.Linker.IsTarget(e);

    public (List<Suggestion>, List<string>) ForNeeded(NeededNotFound n)
    {
        var proper = new List<Suggestion>();
        var later = new List<Suggestion>();
        var notes = new List<string>();
        var candidates = locator.ForNeeded(n.Name, n.By, Compatible);
        var searched = n.Attempts.Where(a => a.Directory.Length > 0)
            .Select(a => locator.Plain(ctx.Absolute(a.Directory))).ToHashSet(StringComparer.Ordinal);
        // One set of fixes per kind of match, in the order the candidates were found.
        foreach (var c in candidates.GroupBy(c => c.Match).Select(g => g.First()))
        {
            switch (c.Match)
            {
                case CandidateMatch.FileName:
                    AddFileNameFixes(n, c, proper, later);
                    break;
                case CandidateMatch.BehindDanglingSymlink:
                    bool searchedThere = searched.Contains(c.Directory);
                    proper.Add(RepairLink(c, n.Name,
                        searchedThere ? [] : render.LinkerOption("-rpath-link", c.Directory),
                        searchedThere
                            ? $"ld already searches {c.Directory} for {n.Name}"
                            : $"-rpath-link {c.Directory} then makes ld search there"));
                    break;
                case CandidateMatch.Soname:
                    AddSonameFixes(n, c, candidates, proper, notes);
                    break;
            }
        }
        foreach (var c in candidates) notes.AddRange(WhyNotSearched(n, c));
        const string Silence = "--allow-shlib-undefined (links, but checks nothing)";
        const string SilenceWhy = "ld then skips the DT_NEEDED search and the undefined-symbol check of shared "
            + "libraries; a real problem shows only at run time.";
        if (proper.Count == 0)
        {
            notes.Add(NowhereFound(n.Name, locator.PlacesFor(n.By)));
            notes.Add($"{Silence} would only silence ld: {SilenceWhy}");
        }
        else
        {
            later.Add(render.Make(
                SuggestionQuality.Workaround, Silence, render.LinkerFlag("--allow-shlib-undefined"), SilenceWhy));
        }
        return ([.. proper, .. later], notes.Distinct().ToList());
    }

    /// <summary>A file of the wanted name: tell ld where it is, or name it; the run-time variants come later.</summary>
    private void AddFileNameFixes(NeededNotFound n, Candidate c, List<Suggestion> proper, List<Suggestion> later)
    {
        proper.Add(render.Make(SuggestionQuality.Proper,
            $"tell ld where {n.Name} is with -rpath-link {c.Directory}",
            render.LinkerOption("-rpath-link", c.Directory),
            $"{c.FullPath} exists ({c.Source}); -rpath-link is searched first for DT_NEEDED and affects "
                + "only the link, not run time."));
        proper.Add(render.Make(SuggestionQuality.Proper, $"put {n.Name} on the command line",
            [$"-L{c.Directory}", $"-l:{n.Name}"],
            "a command-line input whose SONAME matches satisfies the DT_NEEDED without any search."));
        if (ctx.Linker.IsNative)
            later.Add(render.Make(SuggestionQuality.Proper,
                $"set LD_LIBRARY_PATH={c.Directory} for the link step only", [],
                "a native ld searches LD_LIBRARY_PATH for DT_NEEDED; do not keep it set at run time.",
                env: new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = c.Directory }));
        if (!CandidateLocator.IsStubsDirectory(c.Directory))
            later.Add(render.Make(SuggestionQuality.Workaround,
                $"-rpath {c.Directory} (only if that is also where it lives at run time)",
                render.LinkerOption("-rpath", c.Directory),
                "-rpath is searched for DT_NEEDED too, but it is also recorded in the output for run "
                    + "time."));
    }

    /// <summary>A file whose SONAME is the wanted name: give it that name in a private directory, or name it.</summary>
    private void AddSonameFixes(
        NeededNotFound n, Candidate c, IReadOnlyList<Candidate> candidates, List<Suggestion> proper, List<string> notes)
    {
        string link = Path.Combine(privateLinkDirectory, n.Name);
        proper.Add(render.Make(SuggestionQuality.Proper,
            $"make a {n.Name} symlink to {c.FullPath} in a private directory and -rpath-link to it",
            render.LinkerOption("-rpath-link", privateLinkDirectory),
            $"{c.FullPath} has SONAME {n.Name} but ld only tries files named exactly {n.Name}; the "
                + $"symlink gives it that name without touching {c.Directory}.",
            ops: [FileOperation.Mkdir(privateLinkDirectory), FileOperation.Symlink(link, c.FullPath)]));
        proper.Add(render.Make(SuggestionQuality.Proper,
            $"link {c.File} explicitly: -L{c.Directory} {LinkName(c.File)}",
            [$"-L{c.Directory}", LinkName(c.File)],
            $"an input whose SONAME is {n.Name} satisfies the DT_NEEDED; ld then searches for nothing."));
        if (CandidateLocator.IsStubsDirectory(c.Directory))
        {
            notes.Add($"{c.Directory} is a stubs directory: never put it in a run-time -rpath or "
                + "LD_LIBRARY_PATH (the stub would shadow the real driver library).");
        }
        if (!candidates.Any(x => x.Match == CandidateMatch.FileName))
        {
            notes.Add($"-rpath-link or LD_LIBRARY_PATH to {c.Directory} alone does not help: it holds "
                + $"{c.File}, not a file named {n.Name}.");
        }
    }

    /// <summary>Why a place that holds the library is not one ld searches for this DT_NEEDED.</summary>
    private IEnumerable<string> WhyNotSearched(NeededNotFound n, Candidate c)
    {
        if (c.Place.Kind == CandidatePlaceKind.IgnoredRpath)
            yield return $"{c.FullPath} is on the {c.Source}: ld (like ld.so) uses DT_RUNPATH alone when both exist.";
        else if (c.Place is { Kind: CandidatePlaceKind.SearchList, Rule: SearchRule.DtRpath } place
            && place.Detail != Path.GetFileName(n.By.Path))
        {
            yield return $"{c.FullPath} is reachable through the {c.Source}: the dynamic loader inherits a parent's "
                + "DT_RPATH at run time, but ld only searches the needing library's own.";
        }
        foreach (var via in NonFixesContaining(c.Directory))
        {
            yield return $"{c.Directory} is on {via}, but ld never searches {via} for a DT_NEEDED (indirect) "
                + "dependency; -L or LIBRARY_PATH cannot help here.";
        }
    }

    public (List<Suggestion>, List<string>) ForDirect(InputNotFound d)
    {
        var list = new List<Suggestion>();
        var notes = new List<string>();
        var input = d.Input;
        if (input.Kind != LinkInputKind.Library && d.Script is not null && !input.Name.Contains('/'))
            return ForScriptMember(input, d.Script);
        if (input.Kind != LinkInputKind.Library)
        {
            notes.Add(input.Name.StartsWith('/') && ctx.Sysroot.Length > 0
                ? "an absolute name in a linker script inside the sysroot is looked for inside the sysroot; write "
                    + "=/path or a relative name, or pass -L to its directory."
                : "check the path; relative paths are taken from the link's working directory.");
            return (list, notes);
        }
        string[] wanted = input.Verbatim ? [input.Name]
            : input.Static ? [$"lib{input.Name}.a"]
            : [$"lib{input.Name}.so", $"lib{input.Name}.a"];
        var found = wanted.SelectMany(w => locator.ForFile(w, Compatible, d.Script))
            .Where(c => c.Match != CandidateMatch.Soname).ToList();
        var searched = d.Attempts.Where(a => a.Directory.Length > 0)
            .Select(a => locator.Plain(ctx.Absolute(a.Directory))).ToHashSet(StringComparer.Ordinal);
        foreach (var c in found.Take(1))
        {
            if (c.Match == CandidateMatch.BehindDanglingSymlink)
            {
                bool onList = searched.Contains(c.Directory);
                list.Add(RepairLink(c, wanted[0], onList ? [] : [LibraryDirectoryFlag(c.Directory)],
                    onList
                        ? $"{c.Directory} is already searched for {input.Display}"
                        : $"-L then makes ld search {c.Directory}"));
                continue;
            }
            AddDirectoryFixes(c, list, notes);
        }
        // Only a versioned file (libfoo.so.1) without the development symlink.
        if (found.Count == 0 && !input.Verbatim) AddVersionedOnlyFixes(input, list);
        if (list.Count == 0) notes.Add(NowhereFound(input.Display, locator.Places()));
        return (list, notes);
    }

    /// <summary>
    /// A relative script member is tried in the script's directory, the cwd, then every -L (ld-rules §3.3).
    /// </summary>
    private (List<Suggestion>, List<string>) ForScriptMember(LinkInput input, string script)
    {
        var list = new List<Suggestion>();
        var notes = new List<string>();
        var inScriptDirs = locator.ForFile(input.Name, Compatible, script)
            .Where(c => c.Match == CandidateMatch.FileName).Take(1);
        foreach (var c in inScriptDirs)
        {
            list.Add(render.Make(
                SuggestionQuality.Proper, $"add -L{c.Directory}", [LibraryDirectoryFlag(c.Directory)],
                $"{c.FullPath} exists ({c.Source}); a relative member of a linker script is also looked for in "
                    + "every -L directory."));
        }
        if (list.Count == 0) notes.Add(NowhereFound(input.Name, locator.Places()));
        return (list, notes);
    }

    /// <summary>
    /// The library is in a directory ld does not search: -L it (inside a sysroot: -L=), or copy it there.
    /// </summary>
    private void AddDirectoryFixes(Candidate c, List<Suggestion> list, List<string> notes)
    {
        bool inside = ctx.Sysroot.Length > 0 && SysrootPaths.IsInside(c.Directory, ctx.Sysroot);
        if (inside)
        {
            list.Add(render.Make(SuggestionQuality.Proper,
                $"add {LibraryDirectoryFlag(c.Directory)}", [LibraryDirectoryFlag(c.Directory)],
                $"{c.FullPath} exists ({c.Source}); -L=DIR means DIR inside the sysroot {ctx.Sysroot}, so the "
                    + "flag stays right when the sysroot moves."));
        }
        list.Add(render.Make(SuggestionQuality.Proper, $"add -L{c.Directory}", [$"-L{c.Directory}"],
            $"{c.FullPath} exists ({c.Source}); -L directories are searched before the linker's defaults"
                + (ctx.Sysroot.Length > 0 ? ", and an absolute -L is used verbatim even with a sysroot" : "")
                + "."));
        if (ctx.Sysroot.Length > 0 && !inside)
        {
            string dest = Path.Combine(ctx.Sysroot, "usr", "lib", c.File);
            list.Add(render.Make(SuggestionQuality.Proper, $"copy {c.File} into the sysroot's usr/lib", [],
                $"{ctx.Sysroot}/usr/lib is one of the linker's default directories under this sysroot.",
                ops: [FileOperation.Copy(c.FullPath, dest)]));
        }
        if (c.Place.Rule is SearchRule.RpathLink or SearchRule.LdLibraryPath)
            notes.Add($"{c.Source} never applies to -l; only -L and the linker's default directories do.");
    }

    /// <summary>-lNAME where only libNAME.so.N exists: a private development symlink, or -l:libNAME.so.N.</summary>
    private void AddVersionedOnlyFixes(LinkInput input, List<Suggestion> list)
    {
        foreach (var place in locator.Places())
        {
            // The pattern also matches lib{name}.so itself (Win32 matching), which is missing or unusable here.
            var files = locator.Listings.Files(place.Directory, $"lib{input.Name}.so.*")
                .Where(f => Path.GetFileName(f) != $"lib{input.Name}.so").ToList();
            if (files.Count == 0) continue;
            string file = Path.GetFileName(files[0]);
            string link = Path.Combine(privateLinkDirectory, $"lib{input.Name}.so");
            list.Add(render.Make(SuggestionQuality.Proper,
                $"make lib{input.Name}.so → {files[0]} in a private directory and -L it",
                [$"-L{privateLinkDirectory}"],
                $"-l{input.Name} only matches lib{input.Name}.so or lib{input.Name}.a; {place.Directory} has "
                    + $"{file} only (no development symlink).",
                ops: [FileOperation.Mkdir(privateLinkDirectory), FileOperation.Symlink(link, files[0])]));
            list.Add(render.Make(SuggestionQuality.Proper,
                $"use -L{place.Directory} -l:{file} instead of -l{input.Name}",
                [$"-L{place.Directory}", $"-l:{file}"],
                "-l:FILE searches for that exact file name."));
            return;
        }
    }

    /// <summary>
    /// Points the dangling symlink at the real library next to it (<c>ln -sfn</c> replaces only the link: the
    /// locator never offers this where a regular file has the name).
    /// </summary>
    private Suggestion RepairLink(Candidate c, string name, IReadOnlyList<string> flags, string then)
    {
        string link = Path.Combine(c.Directory, name);
        return render.Make(SuggestionQuality.Proper, $"repair the dangling symlink {link} → {c.File}",
            flags,
            $"{link} points at a file that is gone; {c.File} next to it is the library it stood for "
                + $"({(c.Elf?.Soname is { } so ? "SONAME " + so : "no SONAME")}); {then}.",
            ops: [FileOperation.Symlink(link, c.File)]);
    }

    /// <summary>-L=DIR for a directory inside the sysroot (ld-rules §2.1), else the absolute -LDIR.</summary>
    private string LibraryDirectoryFlag(string dir) =>
        ctx.Sysroot.Length > 0 && SysrootPaths.IsInside(dir, ctx.Sysroot)
            ? "-L=" + dir[ctx.Sysroot.Length..]
            : "-L" + dir;

    /// <summary>Nothing anywhere: say where we looked, and how to point us at the library.</summary>
    private static string NowhereFound(string what, IReadOnlyList<CandidatePlace> places) =>
        $"{what} is nowhere we looked ({string.Join(", ", places.Select(p => p.KindText).Distinct())}; "
        + $"{places.Count} directories), so there is no fix to offer. "
        + "If it exists, point NativeLinkGuard at its directory: --hint-dir DIR (CLI) or the "
        + "NativeLinkGuardHintDirectories property (MSBuild).";

    /// <summary>The places users put a directory that ld does not search for DT_NEEDED.</summary>
    private IEnumerable<string> NonFixesContaining(string dir)
    {
        if (CandidateLocator.Split(ctx.Env("LIBRARY_PATH")).Any(d => ctx.Absolute(d).TrimEnd('/') == dir.TrimEnd('/')))
            yield return "LIBRARY_PATH";
        if (ctx.Request.LibraryPaths
            .Any(d => ctx.LibraryPath(d).TrimEnd('/') == dir.TrimEnd('/')))
        {
            yield return "the -L list";
        }
    }

    private static string LinkName(string file) =>
        file.StartsWith("lib", StringComparison.Ordinal) && file.EndsWith(".so", StringComparison.Ordinal)
            ? "-l" + file[3..^3]
            : "-l:" + file;
}
