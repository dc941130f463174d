using NativeLinkGuard.Commands;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// Tries each suggestion before it is shown: its flags are appended to ld's argv (as the driver would pass them), its
/// environment set, its symlinks and copies simulated as aliases, and the resolver run again. A suggestion that does
/// not make its finding go away is dropped, so what we print is what our model of ld accepts.
/// </summary>
public sealed class SuggestionVerifier(ResolverContext ctx, LibraryFileCache files, bool viaDriver)
{
    public Finding Verify(Finding finding, LinkProblem problem)
    {
        if (finding.Suggestions.Count == 0) return finding;
        var kept = new List<Suggestion>();
        var notes = new List<string>(finding.Notes);
        foreach (var s in finding.Suggestions)
        {
            // --allow-shlib-undefined only silences the check; it is verified in the model but stays a labelled workaround.
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
        var request = Reparse(LdArguments(s.Flags));
        var env = new Dictionary<string, string?>(ctx.Environment);
        foreach (var (k, v) in s.Environment ?? new Dictionary<string, string>()) env[k] = v;
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var op in s.FileOperations ?? [])
        {
            if (op.Kind == "symlink") aliases[op.Path!] = op.Target!;
            else if (op.Kind == "copy") aliases[op.Destination!] = op.Source!;
        }
        var result = new LinkResolver(ctx with { Request = request, Environment = env }, files.WithAliases(aliases)).Resolve();
        return problem switch
        {
            // lld: only an input satisfies a DT_NEEDED; a search path that ld would use does not count.
            NeededNotFound { Lld: true } n => !result.Problems.OfType<NeededNotFound>().Any(p => p.Name == n.Name),
            NeededNotFound n => !result.Problems.OfType<NeededNotFound>().Any(p => p.Name == n.Name),
            // Found before the objects exist (LibraryReferencesBeforeBuild): the same rule runs again on the fixed link.
            UndefinedSymbols u => (result.SymbolsChecked || u.Assumption is not null) && !StillUndefined(result, u.ReferencedBy, u.Symbols),
            SymbolVersionMissing v => result.SymbolsChecked && !StillUndefined(result, v.ReferencedBy, v.Symbols),
            DsoMissingFromCommandLine d => result.SymbolsChecked && !StillUndefined(result, d.ReferencedBy, d.Symbols),
            InputNotFound d => !result.Problems.OfType<InputNotFound>().Any(p => p.Input.Display == d.Input.Display),
            _ => true,
        };
    }

    /// <summary>Any error-level symbol problem of the same file about one of the same symbols.</summary>
    private static bool StillUndefined(ResolvedLink result, string by, IReadOnlyList<string> symbols)
    {
        var names = symbols.Select(x => x.Split('@')[0]).ToHashSet(StringComparer.Ordinal);
        return result.Problems.Any(p => p switch
        {
            UndefinedSymbols u => !u.Warning && u.ReferencedBy == by && u.Symbols.Any(x => names.Contains(x.Split('@')[0])),
            SymbolVersionMissing v => !v.Warning && v.ReferencedBy == by && v.Symbols.Any(names.Contains),
            DsoMissingFromCommandLine d => d.ReferencedBy == by && d.Symbols.Any(names.Contains),
            _ => false,
        });
    }

    /// <summary>The original ld argv plus the suggestion's flags as ld receives them.</summary>
    private LinkRequest Reparse(List<string> extra)
    {
        var argv = new List<string>(ctx.LinkerArguments);
        argv.AddRange(extra);
        return LdArgumentParser.Parse(argv);
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
