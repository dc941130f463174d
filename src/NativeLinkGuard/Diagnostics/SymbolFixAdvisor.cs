using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// Fixes for symbol-level findings (ld-rules §8, last item): put the library that defines the symbol (or the version)
/// on the command line. Each is verified by re-running the resolver and the symbol model with it applied.
/// </summary>
public sealed class SymbolFixAdvisor(
    ResolverContext ctx, CandidateLocator locator, FlagRenderer render, LibraryFileCache files)
{
    private bool Lld => ctx.Linker.Flavor == LinkerFlavor.Lld;

    private bool Compatible(ElfFile e) => ctx.Linker.IsTarget(e);

    /// <summary>NLG0008: the library ld (or ld's search, for lld) found for a DT_NEEDED, given explicitly.</summary>
    public (List<Suggestion>, List<string>) ForDsoMissing(DsoMissingFromCommandLine d)
    {
        string dir = Path.GetDirectoryName(ctx.Absolute(d.Library.Path)) ?? "/";
        string file = Path.GetFileName(d.Library.Path);
        string soname = d.Library.Elf.Soname ?? file;
        var list = new List<Suggestion>
        {
            render.Make(SuggestionQuality.Proper,
                $"link {soname} explicitly: -L{dir} -l:{file}", [$"-L{dir}", $"-l:{file}"],
                d.RevivedFor is { } revived
                    ? $"{d.ReferencedBy} uses {string.Join(", ", d.Symbols.Take(3))} from {soname} directly; under "
                        + $"--as-needed a library is kept only for what the inputs before it use, so {soname} must "
                        + $"also come after {d.ReferencedBy} (being a dependency of "
                        + $"{Path.GetFileName(revived.Path)} is not enough)."
                    : $"{d.ReferencedBy} uses {string.Join(", ", d.Symbols.Take(3))} from {soname} directly, so "
                        + $"{soname} must be a direct input; being a dependency of {NeededByName(d.Library)} is not "
                        + "enough."),
            render.Make(SuggestionQuality.Proper,
                $"link {ctx.Absolute(d.Library.Path)} by path", [ctx.Absolute(d.Library.Path)],
                "a library named by path is a direct input like -l."),
        };
        var notes = new List<string>
        {
            Lld
                ? $"lld never loads DT_NEEDED libraries, so {soname} (needed by {NeededByName(d.Library)}) is not an "
                    + "input at all."
                : "since binutils 2.22 ld does not let the program use symbols of libraries it only loaded for a "
                    + "DT_NEEDED (--no-copy-dt-needed-entries is the default).",
        };
        if (!Lld)
        {
            string by = d.RevivedFor is { } reviver ? Path.GetFileName(reviver.Path) : NeededByName(d.Library);
            notes.Add($"-Wl,--copy-dt-needed-entries placed before {by} also links, but hides the real dependency "
                + "(workaround).");
        }
        return (list, notes);
    }

    /// <summary>
    /// NLG0007: a library of that name elsewhere (hint dirs, conda, -L...) that defines the needed version.
    /// </summary>
    public (List<Suggestion>, List<string>) ForVersion(SymbolVersionMissing v)
    {
        var list = new List<Suggestion>();
        var notes = new List<string>();
        if (v.Version.StartsWith("GLIBC_", StringComparison.Ordinal))
        {
            string newest = v.ProvidedVersions.Where(x => x.StartsWith("GLIBC_", StringComparison.Ordinal))
                .OrderBy(x => x, VersionOrder.Instance).LastOrDefault() ?? "(none)";
            string have = newest.StartsWith("GLIBC_", StringComparison.Ordinal) ? newest["GLIBC_".Length..] : newest;
            string want = v.Version["GLIBC_".Length..];
            notes.Add($"{v.ReferencedBy} was built against glibc {want} or newer, but the libc this link uses "
                + $"({v.Provider}) is glibc {have} (newest version GLIBC_{have}).");
            notes.Add($"fix: use a sysroot with glibc >= {want} (conda: install a newer sysroot_linux-64, e.g. conda "
                + $"install \"sysroot_linux-64>={want}\"), or rebuild {Path.GetFileName(v.ReferencedBy)} against glibc "
                + $"{have}.");
            return (list, notes);
        }
        string? name = v.Provider is null ? null : Path.GetFileName(v.Provider);
        if (name is null) return (list, notes);
        var sameName = locator.ForFile(name, Compatible)
            .Where(c => c.Match == CandidateMatch.FileName && c.Elf is { IsSharedObject: true });
        foreach (var c in sameName)
        {
            if (ctx.Absolute(c.FullPath) == ctx.Absolute(v.Provider!)) continue;
            if (files.Symbols(c.FullPath).Shared is not { } t || !t.DefinedVersions.Contains(v.Version)) continue;
            if (Lld && ctx.Request.Inputs.Any(i => i.Name == v.Provider))
            {
                // lld keeps the first input of a SONAME and ignores later ones: appending cannot fix it, replacing can.
                notes.Add($"replace {v.Provider} on the command line by {c.FullPath} ({c.Source}), which defines "
                    + $"{v.Version} (lld ignores a second input with the same SONAME).");
                break;
            }
            list.Add(render.Make(SuggestionQuality.Proper,
                $"link the {name} that defines {v.Version}: {c.FullPath}", [c.FullPath],
                $"{c.FullPath} ({c.Source}) defines {v.Version}; as a direct input it satisfies {v.ReferencedBy}'s "
                    + "DT_NEEDED before any search."));
            break;
        }
        if (list.Count == 0)
        {
            notes.Add($"no {name} defining {v.Version} was found in the places we know; pass --hint-dir DIR where "
                + "the right version is.");
        }
        return (list, notes);
    }

    /// <summary>
    /// NLG0006 from an object or archive member: an archive of the link that came too early (repeat it), a library ld
    /// found (or would find) only for a DT_NEEDED, or a library in the places we know (hint dirs, -L, -rpath-link,
    /// LIBRARY_PATH, conda) whose hash table defines the symbol.
    /// </summary>
    public (List<Suggestion>, List<string>) ForObjectUndefined(UndefinedSymbols u)
    {
        var list = new List<Suggestion>();
        var notes = new List<string>();
        foreach (var a in u.DefinedInArchives)
        {
            list.Add(render.Make(SuggestionQuality.Proper,
                $"repeat {a} after the inputs that use it (or wrap the archives in --start-group/--end-group)", [a],
                $"ld extracts archive members only for symbols undefined when it reaches the archive; {a} came "
                    + $"before {u.ReferencedBy} needed it."));
            if (Lld) notes.Add("lld does not depend on archive order; this happens only with GNU ld.");
        }
        foreach (var path in u.DefinedInIndirectLibraries)
        {
            string dir = Path.GetDirectoryName(path) ?? "/";
            string file = Path.GetFileName(path);
            list.Add(render.Make(SuggestionQuality.Proper,
                $"link {file} explicitly: -L{dir} -l:{file}", [$"-L{dir}", $"-l:{file}"],
                $"{path} defines it, but it is only a dependency of another library; the program's own references "
                    + "need it on the command line."));
        }
        var names = u.Symbols.Select(x => x.Split('@')[0]).ToList();
        var places = locator.Places().Where(p => p.Kind is CandidatePlaceKind.HintDirectory
            or CandidatePlaceKind.LibraryPathVariable or CandidatePlaceKind.Conda or CandidatePlaceKind.CudaToolkit
            || p.Rule is SearchRule.CommandLineLibraryPath or SearchRule.RpathLink);
        foreach (var place in places)
        {
            string dir = place.Directory;
            // The driver's own -L dirs (the system's libraries) would cost a symbol table per installed library.
            if (place.Kind != CandidatePlaceKind.HintDirectory && locator.IsSystemDirectory(dir)) continue;
            string[] entries = [.. locator.Listings.Files(dir, "lib*.so*"), .. locator.Listings.Files(dir, "lib*.a")];
            Array.Sort(entries, StringComparer.Ordinal);
            foreach (var path in entries)
            {
                if (u.DefinedInIndirectLibraries.Contains(path) || !Defines(path, names)) continue;
                string file = Path.GetFileName(path);
                string lib = file.StartsWith("lib", StringComparison.Ordinal)
                    && (file.EndsWith(".so", StringComparison.Ordinal) || file.EndsWith(".a", StringComparison.Ordinal))
                    ? "-l" + file[3..file.LastIndexOf('.')] : "-l:" + file;
                if (u.FromObject)
                {
                    list.Add(render.Make(SuggestionQuality.Proper,
                        $"link {file}, which defines it: -L{dir} {lib}", [$"-L{dir}", lib],
                        $"{path} ({place}) defines {string.Join(", ", names.Take(3))}."));
                    return (list, notes);
                }
                // Only a library refers to it: under --as-needed (many toolchains' default) ld drops a library that no
                // object uses when it reaches it, wherever the flags land; --no-as-needed keeps it for this one input.
                string[] flags =
                [
                    $"-L{dir}", .. render.LinkerFlag("--push-state"), .. render.LinkerFlag("--no-as-needed"), lib,
                    .. render.LinkerFlag("--pop-state"),
                ];
                list.Add(render.Make(SuggestionQuality.Proper,
                    $"link {file}, which defines it, and keep it: {string.Join(' ', flags)}", flags,
                    $"{path} ({place}) defines {string.Join(", ", names.Take(3))}, which "
                        + $"{Path.GetFileName(u.ReferencedBy)} needs and no input provides."));
                return (list, notes);
            }
        }
        if (list.Count == 0)
            notes.Add("no library in the places we know defines it; pass --hint-dir DIR where the defining "
                + "library is.");
        return (list, notes);
    }

    /// <summary>
    /// Which of the missing DT_NEEDED candidates define the undefined symbols (through their hash tables).
    /// </summary>
    public string? WhoWouldProvide(UndefinedSymbols u)
    {
        foreach (var n in u.MissingNeeded)
        {
            var candidates = locator.ForNeeded(n.Name, n.By, Compatible)
                .Where(c => c.Match != CandidateMatch.BehindDanglingSymlink);
            foreach (var c in candidates)
            {
                if (files.Symbols(c.FullPath).Shared is not { } t) continue;
                int hits = u.Symbols.Count(s =>
                    Symbols.SymbolFiles.Try(() => t.Lookup(s.Split('@')[0]), out var d, out _) && d!.Count > 0);
                string what = u.Symbols.Count == 1 ? "it" : hits == u.Symbols.Count ? "them" : $"{hits} of them";
                if (hits > 0)
                {
                    return $"{n.Name} (not found) would provide {what}: {c.FullPath} defines "
                        + (hits == 1 ? "it" : "them");
                }
            }
        }
        if (u.MissingNeeded.Count == 0) return null;
        return $"{string.Join(", ", u.MissingNeeded.Select(n => n.Name))} (needed by "
            + $"{Path.GetFileName(u.ReferencedBy)}, not found) would most likely provide "
            + (u.Symbols.Count == 1 ? "it" : "them");
    }

    /// <summary>
    /// A compatible shared library (hash lookups) or archive (its index) that defines one of the names.
    /// </summary>
    private bool Defines(string path, List<string> names)
    {
        var f = files.Get(path);
        if (f.Kind == LibraryFileKind.Archive)
            return (f.Elf is null || Compatible(f.Elf)) && files.Symbols(path).Archive is { } a
                && names.Any(a.Index.ContainsKey);
        return f.Elf is { IsSharedObject: true } elf && Compatible(elf) && files.Symbols(path).Shared is { } t
            && names.Any(n => Symbols.SymbolFiles.Try(() => t.Lookup(n), out var d, out _) && d!.Count > 0);
    }

    private static string NeededByName(ResolvedLibrary lib) =>
        lib.NeededBy is { } by ? Path.GetFileName(by.Path) : "another library";

    /// <summary>GLIBC_2.9 before GLIBC_2.17: numeric components.</summary>
    private sealed class VersionOrder : IComparer<string>
    {
        public static readonly VersionOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = Parts(x); var b = Parts(y);
            for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
            {
                int c = (i < a.Length ? a[i] : 0).CompareTo(i < b.Length ? b[i] : 0);
                if (c != 0) return c;
            }
            return 0;
        }

        private static int[] Parts(string? v) =>
            (v ?? "").Split('_').Last().Split('.').Select(p => int.TryParse(p, out int n) ? n : 0).ToArray();
    }
}
