using System.Text;
using System.Text.Json;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Reporting;

/// <summary>Text, JSON (<c>files[]</c>, docs/json-schema.md) and SARIF for <c>nativelinkguard runtime</c>.</summary>
public static class RuntimeReportWriter
{
    public static string Text(IReadOnlyList<RuntimeFileReport> reports, bool verbose = false)
    {
        var sb = new StringBuilder();
        foreach (var r in reports)
        {
            sb.AppendLine($"runtime {r.Path}: {(r.Loadable ? "loads" : "does NOT load")}");
            if (verbose)
                foreach (var l in r.Libraries)
                    sb.AppendLine($"    {l.Name} => {l.Path ?? "not found"}{(l.Rule is null ? "" : $"  [{l.Rule}]")}  (needed by {Path.GetFileName(l.NeededBy)})");
            foreach (var f in r.Findings) TextReportWriter.AppendFinding(sb, f, false, "ld.so");
            if (verbose) foreach (var n in r.Notes) sb.AppendLine("  note: " + n);
            if (r.Findings.Count > 0) sb.AppendLine();
        }
        int bad = reports.Count(r => !r.Loadable);
        sb.AppendLine($"{reports.Count - bad} of {reports.Count} file(s) load");
        return sb.ToString();
    }

    public static string Json(IReadOnlyList<RuntimeFileReport> reports)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", JsonReportWriter.SchemaVersion);
            w.WriteString("tool", "nativelinkguard");
            w.WriteString("command", "runtime");
            w.WriteStartArray("files");
            foreach (var r in reports)
            {
                w.WriteStartObject();
                w.WriteString("path", r.Path);
                w.WriteBoolean("loadable", r.Loadable);
                w.WriteStartArray("libraries");
                foreach (var l in r.Libraries)
                {
                    w.WriteStartObject();
                    w.WriteString("name", l.Name);
                    w.WriteString("neededBy", l.NeededBy);
                    if (l.Path is null) w.WriteNull("path"); else w.WriteString("path", l.Path);
                    if (l.Rule is null) w.WriteNull("rule"); else w.WriteString("rule", l.Rule);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("findings");
                foreach (var f in r.Findings) JsonReportWriter.WriteFinding(w, f);
                w.WriteEndArray();
                JsonReportWriter.WriteStrings(w, "notes", r.Notes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>SARIF through the link writer: each file is reported like a link whose output is that file.</summary>
    public static string Sarif(IReadOnlyList<RuntimeFileReport> reports, string version) =>
        SarifReportWriter.Write(reports.Select(r => new LinkReport(r.Path, r.Loadable ? PredictedOutcome.Succeeds : PredictedOutcome.Fails,
            r.Findings, null, [], r.Notes, 0)).ToList(), version);
}
