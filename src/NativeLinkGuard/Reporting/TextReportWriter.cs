using System.Text;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Reporting;

/// <summary>Human output: ld-like first lines, then the chain, the search trace and the fixes.</summary>
public static class TextReportWriter
{
    public static string Write(LinkReport report, bool color = false, bool verbose = false)
    {
        string Red(string s) => color ? $"\e[31m{s}\e[0m" : s;
        string Bold(string s) => color ? $"\e[1m{s}\e[0m" : s;
        var sb = new StringBuilder();
        string name = report.Target is { } t ? $"{t.Name} ({t.Type}, {t.Output})" : report.Output;
        // A link that could not be checked has no prediction: saying "fails" would be a false alarm.
        if (report.Findings.Any(f => f.Code == DiagnosticCodes.CheckFailed))
            sb.AppendLine(Bold($"link {name}: not checked"));
        else if (report.PredictedOutcome == PredictedOutcome.Fails)
            sb.AppendLine(Bold($"link {name}: predicted to fail") + $" ({Red("FAILS")})");
        else
            sb.AppendLine(Bold($"link {name}: predicted to succeed"));
        if (report.Target?.DefinedAt is { } at) sb.AppendLine($"  defined at {at.File}:{at.Line}");
        if (report.Linker is { } l)
            sb.AppendLine($"  linker: {l.Path} ({l.Version}), target {l.Target}, {(l.Native ? "native" : "cross")}, "
                + $"sysroot {(l.Sysroot.Length == 0 ? "(none)" : l.Sysroot)}");
        foreach (var f in report.Findings) AppendFinding(sb, f, color, "ld");
        if (verbose)
        {
            sb.AppendLine();
            sb.AppendLine("linker command: " + ShellQuote.Join(report.LinkerArguments));
            foreach (var n in report.Notes) sb.AppendLine("note: " + n);
        }
        sb.AppendLine();
        int errors = report.Findings.Count(f => f.Severity == Severity.Error);
        int warnings = report.Findings.Count(f => f.Severity == Severity.Warning);
        sb.AppendLine($"{errors} error(s), {warnings} warning(s) in {report.ElapsedMilliseconds} ms");
        return sb.ToString();
    }

    /// <summary>One finding: the tool's own line, the chain, the search trace, the fixes.</summary>
    internal static void AppendFinding(StringBuilder sb, Finding f, bool color, string tool)
    {
        string Red(string s) => color ? $"\e[31m{s}\e[0m" : s;
        string Yellow(string s) => color ? $"\e[33m{s}\e[0m" : s;
        sb.AppendLine();
        string sev = f.Severity == Severity.Error ? Red("error")
            : f.Severity == Severity.Warning ? Yellow("warning") : "info";
        sb.AppendLine($"{sev} {f.Code}: {f.Message}");
        // A link's run-time prediction (NLG0012, NLG0013) quotes the loader, not the linker.
        if (f.Code is DiagnosticCodes.NotLoadableAtRunTime or DiagnosticCodes.DriverLibraryAtRunTime) tool = "ld.so";
        // Only what the tool itself would print: a check that could not run quotes nobody.
        if (f.LdMessage.Length > 0) sb.AppendLine($"  {tool} will say: {f.LdMessage}");
        if (f.Chain.Count > 1)
        {
            // Appended name by name: a deep chain joined first was a kilobyte of garbage per finding.
            sb.Append("  chain: ").Append(f.Chain[0]);
            for (int k = 1; k < f.Chain.Count; k++) sb.Append(" → ").Append(f.Chain[k]);
            sb.AppendLine();
        }
        if (f.Searched.Count > 0)
        {
            sb.AppendLine($"  searched, in {tool}'s order:");
            int width = Math.Min(60, f.Searched.Max(s => s.Directory.Length));
            foreach (var s in f.Searched)
                sb.Append("    ").Append(s.Directory).Append(' ', Math.Max(0, width - s.Directory.Length))
                    .Append("  [").Append(s.Rule).Append("]  ").AppendLine(s.Result);
        }
        foreach (var n in f.Notes) sb.AppendLine($"  note: {n}");
        if (f.Suggestions.Count > 0) sb.AppendLine("  fixes, best first:");
        int i = 1;
        foreach (var s in f.Suggestions)
        {
            string quality = s.Quality == SuggestionQuality.Proper ? "proper" : "workaround";
            sb.AppendLine($"    {i++}. [{quality}] {s.Summary}");
            foreach (var op in s.FileOperations ?? []) sb.AppendLine($"         $ {op.ToShell()}");
            foreach (var c in (s.Commands ?? []).Where(c => s.FileOperations?.Any(op => op.ToShell() == c) != true))
                sb.AppendLine($"         $ {c}");
            if (s.Environment is { Count: > 0 } env)
            {
                string assignments = string.Join(' ', env.Select(kv => $"{kv.Key}={ShellQuote.Quote(kv.Value)}"));
                sb.AppendLine($"         environment: {assignments}");
            }
            if (s.Flags.Count > 0)
            {
                sb.AppendLine($"         add: {ShellQuote.Join(s.Flags)}");
                if (s.CMake is not null) sb.AppendLine($"         cmake: {s.CMake}");
                if (s.LdFlags is not null) sb.AppendLine($"         make/configure: {s.LdFlags}");
            }
            sb.AppendLine($"         why: {s.Why}");
        }
    }
}
