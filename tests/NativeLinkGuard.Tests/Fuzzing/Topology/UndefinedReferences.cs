using System.Text.RegularExpressions;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// Undefined references as "referrer: symbol" pairs, so a comparison sees who references what, not only which
/// names are undefined: the linker's from its stderr (ld: <c>BY: undefined reference to `sym'</c>, or
/// <c>OBJ: in function `f':</c> then <c>SRC:(.text+0x5): undefined reference to `sym'</c>; lld:
/// <c>BY: undefined reference to sym [--no-allow-shlib-undefined]</c>, or <c>undefined symbol: sym</c> then
/// <c>&gt;&gt;&gt;   OBJ:(f)</c>), the check's from its findings (NLG0006, NLG0007: the finding's library is the
/// referrer, spelled as the linker spells it).
/// </summary>
internal static partial class UndefinedReferences
{
    public static SortedSet<string> InStderr(string stderr)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        string? obj = null, lldSymbol = null;
        foreach (var line in stderr.Split('\n'))
        {
            // A second reference in the same function: "ld: SRC:(.text+0x11): undefined reference" (the object
            // is the one the last "in function" line named).
            if (LdPrefixedObjectLine().Match(line) is { Success: true } p && obj is not null) set.Add(obj + ": " + p.Groups["sym"].Value);
            else if (LdLibrary().Match(line) is { Success: true } m) set.Add(m.Groups["by"].Value + ": " + m.Groups["sym"].Value);
            else if (LdInFunction().Match(line) is { Success: true } f) obj = f.Groups["obj"].Value;
            else if (LdObjectLine().Match(line) is { Success: true } o && obj is not null) set.Add(obj + ": " + o.Groups["sym"].Value);
            else if (LldLibrary().Match(line) is { Success: true } l) set.Add(l.Groups["by"].Value + ": " + l.Groups["sym"].Value);
            else if (LldSymbol().Match(line) is { Success: true } s) lldSymbol = s.Groups["sym"].Value;
            // An archive member: ">>>   L2.o:(fn2) in archive d/libL2.a", spelled as ld does, "d/libL2.a(L2.o)".
            else if (LldReferrer().Match(line) is { Success: true } r && lldSymbol is not null)
                set.Add((r.Groups["archive"].Success ? $"{r.Groups["archive"].Value}({r.Groups["obj"].Value})" : r.Groups["obj"].Value) + ": " + lldSymbol);
        }
        return set;
    }

    /// <summary>The check's pairs, leaving out "DSO missing from command line" (ld names only its first symbol).</summary>
    public static SortedSet<string> InReport(LinkReport report) => new(
        report.Findings.Where(f => f.Symbols is not null && f.Code != DiagnosticCodes.DsoMissingFromCommandLine)
            .SelectMany(f => f.Symbols!.Select(s => f.Library + ": " + s)),
        StringComparer.Ordinal);

    private const string Prefix = @"^(?:\S*/)?(?:[\w.-]*-)?ld(?:\.\w+)?: (?:error: )?";

    [GeneratedRegex(Prefix + @"(?<by>\S+): (?:warning: )?undefined reference to `(?<sym>[^']+)'$")]
    private static partial Regex LdLibrary();

    [GeneratedRegex(Prefix + @"[^\s:]+:\([^)]*\): (?:warning: )?undefined reference to `(?<sym>[^']+)'$")]
    private static partial Regex LdPrefixedObjectLine();

    [GeneratedRegex(Prefix + @"(?<obj>\S+): in function `[^']*':$")]
    private static partial Regex LdInFunction();

    [GeneratedRegex(@"^[^\s:]+:\([^)]*\): (?:warning: )?undefined reference to `(?<sym>[^']+)'$")]
    private static partial Regex LdObjectLine();

    [GeneratedRegex(Prefix + @"(?<by>\S+): undefined reference to (?<sym>\S+) \[--no-allow-shlib-undefined\]$")]
    private static partial Regex LldLibrary();

    [GeneratedRegex(Prefix + @"undefined symbol: (?<sym>\S+)$")]
    private static partial Regex LldSymbol();

    [GeneratedRegex(@"^>>>\s+(?<obj>\S+?):\([^)]*\)(?: in archive (?<archive>\S+))?")]
    private static partial Regex LldReferrer();
}
