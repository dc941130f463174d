using NativeLinkGuard.Symbols;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// Before the program's objects exist (a configured CMake build), the symbol stage cannot run, but one failure is
/// still certain: when ld links an executable it checks the undefined symbols of the shared libraries it loads
/// (--no-allow-shlib-undefined is its default there), and a prebuilt library's reference that no loaded library
/// defines fails the link unless the program's own objects define it. They can only define names their sources
/// contain; a name in no file of the source tree is an undefined reference (an underlinked vendor library whose
/// DT_NEEDED on the driver was dropped).
/// </summary>
internal static class LibraryReferencesBeforeBuild
{
    /// <summary>Why the rule cannot decide for this link; null when it can.</summary>
    public static string? NotApplicable(ResolverContext ctx, bool lld, IReadOnlyList<LinkProblem> problems)
    {
        var req = ctx.Request;
        if (!ctx.ObjectsUnknown || ctx.BuildSources is null) return "the program's sources are not known";
        if (lld) return "lld's check of library references is not modelled here";
        if (req.Shared || req.Relocatable
            || req.StaticLink) return "only executables have their libraries' references checked";
        if (!req.ChecksSharedLibraryDependencies || req.WarnUnresolvedSymbols
            || req.UnresolvedSymbols is not null) return "the link does not check library references";
        if (req.Scripts.Count > 0 || req.SymbolOptionsNotModelled.Count > 0
            || req.DefinedByOption.Count > 0) return "the link defines symbols by script or option";
        if (problems.Count > 0) return "the link already fails on a missing file";
        return null;
    }

    public static List<UndefinedSymbols> Find(ResolverContext ctx, LibraryFileCache files,
        IReadOnlyList<ResolvedLibrary> libraries, List<string> notes)
    {
        var result = new List<UndefinedSymbols>();
        var tables = new List<(ResolvedLibrary Lib, DynamicSymbolTable? Table)>();
        foreach (var lib in libraries)
        {
            // A library this build makes: its symbols are unknown, so it may define anything.
            bool predicted = lib.Elf.PredictedFrom is not null || files.Get(lib.Path).Kind != LibraryFileKind.Elf;
            tables.Add((lib, predicted ? null : files.Symbols(lib.Path).Shared));
        }
        // unreadable: say nothing
        if (tables.Any(t => t.Table is null && t.Lib.Elf.PredictedFrom is null)) return result;
        var unresolved = new List<(ResolvedLibrary Lib, List<string> Names)>();
        foreach (var (lib, table) in tables)
        {
            if (table is null || lib.DroppedByAsNeeded) continue;
            if (!SymbolFiles.Try(table.Undefined, out var refs, out _)) return result;
            var names = refs!.Where(s => !s.IsWeak && !SymbolModel.IsLinkerDefined(s.Name)
                && s.Name is not ("__tls_get_addr" or "___tls_get_addr"))
                .Select(s => s.Name).Distinct(StringComparer.Ordinal)
                .Where(n => !tables.Any(t => t.Table is { } other
                    && SymbolFiles.Try(() => other.Lookup(n), out var d, out _) && d!.Any(x => x.Defined)))
                .ToList();
            if (names.Count > 0) unresolved.Add((lib, names));
        }
        if (unresolved.Count == 0) return result;
        var sources = ctx.BuildSources!;
        var all = unresolved.SelectMany(u => u.Names).ToHashSet(StringComparer.Ordinal);
        if (sources.Unknowable is { } why)
        {
            notes.Add($"{string.Join(", ", all.Take(3))}: referenced by a library of this link and defined by none; " +
                $"whether the program's objects define it is not known ({why})");
            return result;
        }
        var mentioned = sources.Mentioned(all);
        foreach (var (lib, names) in unresolved)
        {
            var missing = names.Where(n => !mentioned.Contains(n)).Order(StringComparer.Ordinal).ToList();
            if (missing.Count == 0) continue;
            result.Add(new UndefinedSymbols(lib.Spelling, false, missing, false, lib, [])
            {
                Assumption = $"no library of this link defines {(missing.Count == 1 ? "it" : "them")}, and the " +
                    $"program's objects cannot: " +
                             $"no file under {sources.SourceDirectory} mentions " +
                                 $"{(missing.Count == 1 ? "the name" : "these names")} (the objects are not built yet)",
            });
        }
        return result;
    }
}
