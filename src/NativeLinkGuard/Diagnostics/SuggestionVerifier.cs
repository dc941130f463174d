using NativeLinkGuard.Commands;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// Tries each suggestion before it is shown, as the build would run it: its flags are added to ld's argv where the
/// driver would put them (a user -L before the driver's own directories and LIBRARY_PATH's, -Wl, split), its
/// environment set, its symlinks and copies simulated as aliases, and the whole link resolved again. A suggestion that
/// does not make its finding go away is dropped, so what we print is what our model of ld accepts.
/// </summary>
public sealed class SuggestionVerifier(ResolverContext ctx, LibraryFileCache files, bool viaDriver)
{
    // One link resolved per distinct fix: the findings of one missing library (NLG0002, then NLG0006 for the symbols
    // it would have provided) suggest the same fixes, and the model's answer depends only on the fixed link.
    private readonly Dictionary<string, ResolvedLink> _resolved = new(StringComparer.Ordinal);

    public Finding Verify(Finding finding, LinkProblem problem)
    {
        if (finding.Suggestions.Count == 0) return finding;
        var kept = new List<Suggestion>();
        var notes = new List<string>(finding.Notes);
        foreach (var s in finding.Suggestions)
        {
            // --allow-shlib-undefined only silences the check; it is verified in the model but stays a labelled
            // workaround.
            if (Fixes(s, problem)) kept.Add(s with { Verified = true });
            else notes.Add(problem is NeededNotFound or InputNotFound
                ? $"not suggested: '{s.Summary}' would not make {Linker} find it (checked against the model)"
                : $"not suggested: '{s.Summary}' would not fix this for {Linker} (checked against the model)");
        }
        return finding with { Suggestions = kept, Notes = notes };
    }

    private string Linker => ctx.Linker.Flavor == Toolchain.LinkerFlavor.Lld ? "lld" : "ld";

    private bool Fixes(Suggestion s, LinkProblem problem)
    {
        var result = ResolveWith(s);
        return problem switch
        {
            // lld: only an input satisfies a DT_NEEDED; a search path that ld would use does not count.
            NeededNotFound { Lld: true } n => !result.Problems.OfType<NeededNotFound>().Any(p => p.Name == n.Name),
            NeededNotFound n => !result.Problems.OfType<NeededNotFound>().Any(p => p.Name == n.Name),
            // Found before the objects exist (LibraryReferencesBeforeBuild): the same rule runs again on the fixed
            // link.
            UndefinedSymbols u => (result.SymbolsChecked || u.Assumption is not null)
                && !StillUndefined(result, u.ReferencedBy, u.Symbols),
            SymbolVersionMissing v => result.SymbolsChecked && !StillUndefined(result, v.ReferencedBy, v.Symbols),
            DsoMissingFromCommandLine d => result.SymbolsChecked && !StillUndefined(result, d.ReferencedBy, d.Symbols),
            InputNotFound d => !result.Problems.OfType<InputNotFound>().Any(p => p.Input.Display == d.Input.Display),
            _ => true,
        };
    }

    /// <summary>The link resolved again with the suggestion applied (once per distinct argv, environment and
    /// files).</summary>
    private ResolvedLink ResolveWith(Suggestion s)
    {
        var argv = WithFlags(s.Flags);
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var op in s.FileOperations ?? [])
        {
            // A relative link target is relative to the link's directory, as ln -s makes it.
            if (op.Kind == "symlink")
            {
                aliases[op.Path!] = Path.IsPathRooted(op.Target!)
                    ? op.Target!
                    : Path.Combine(Path.GetDirectoryName(op.Path!) ?? "/", op.Target!);
            }
            else if (op.Kind == "copy") aliases[op.Destination!] = op.Source!;
        }
        var set = s.Environment ?? new Dictionary<string, string>();
        string key = string.Join('\0', argv) + "\u0001" + Joined(set) + "\u0001" + Joined(aliases);
        if (_resolved.TryGetValue(key, out var known)) return known;
        var env = ctx.Environment;
        if (set.Count > 0)
        {
            var changed = new Dictionary<string, string?>(ctx.Environment);
            foreach (var (k, v) in set) changed[k] = v;
            env = changed;
        }
        var request = LdArgumentParser.Parse(argv);
        var result = new LinkResolver(ctx with { Request = request, Environment = env }, files.WithAliases(aliases))
            .Resolve();
        return _resolved[key] = result;
    }

    private static string Joined(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join('\0', pairs.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));

    /// <summary>Any error-level symbol problem of the same file about one of the same symbols.</summary>
    private static bool StillUndefined(ResolvedLink result, string by, IReadOnlyList<string> symbols)
    {
        var names = symbols.Select(x => x.Split('@')[0]).ToHashSet(StringComparer.Ordinal);
        return result.Problems.Any(p => p switch
        {
            UndefinedSymbols u => !u.Warning && u.ReferencedBy == by
                && u.Symbols.Any(x => names.Contains(x.Split('@')[0])),
            SymbolVersionMissing v => !v.Warning && v.ReferencedBy == by && v.Symbols.Any(names.Contains),
            DsoMissingFromCommandLine d => d.ReferencedBy == by && d.Symbols.Any(names.Contains),
            _ => false,
        });
    }

    /// <summary>
    /// The original ld argv with the suggestion's flags where ld receives them. Appended to a driver command, a -L
    /// goes with the user's -L options, which the driver passes before its own directories and LIBRARY_PATH's
    /// (ld-rules §2.3): appended after those, a -L would lose to a library the driver's directories hold.
    /// </summary>
    private List<string> WithFlags(IReadOnlyList<string> flags)
    {
        var argv = new List<string>(ctx.LinkerArguments);
        var ld = LdArguments(flags);
        if (!viaDriver) { argv.AddRange(ld); return argv; }
        var libraryDirs = ld.Where(IsLibraryDirectory).ToList();
        argv.AddRange(ld.Where(f => !IsLibraryDirectory(f)));
        argv.InsertRange(UserLibraryDirectoriesEnd(argv), libraryDirs);
        return argv;
    }

    private static bool IsLibraryDirectory(string arg) =>
        arg.StartsWith("-L", StringComparison.Ordinal) && arg.Length > 2;

    /// <summary>Where the driver's placement puts one more user -L: after the -L options the user gave it.</summary>
    private int UserLibraryDirectoriesEnd(List<string> argv)
    {
        var driver = ctx.DriverArguments ?? [];
        int user = 0;
        for (int i = 1; i < driver.Count; i++)
            if (driver[i] == "-L") { user++; i++; }
            else if (IsLibraryDirectory(driver[i])) user++;
        int seen = 0;
        for (int i = 1; i < argv.Count; i++)
        {
            if (!IsLibraryDirectory(argv[i])) continue;
            if (seen == user) return i;
            seen++;
        }
        return argv.Count;
    }

    private List<string> LdArguments(IReadOnlyList<string> flags)
    {
        if (!viaDriver) return [.. flags];
        var ld = new List<string>();
        for (int i = 0; i < flags.Count; i++)
        {
            string f = flags[i];
            if (f.StartsWith("-Wl,", StringComparison.Ordinal)) ld.AddRange(f[4..].Split(','));
            else if (f == "-Xlinker" && i + 1 < flags.Count) ld.Add(flags[++i]);
            else ld.Add(f);
        }
        return ld;
    }
}
