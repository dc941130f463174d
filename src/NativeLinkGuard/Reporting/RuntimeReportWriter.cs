using System.Text;
using System.Text.Json;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.IO;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Reporting;

/// <summary>Text, JSON (<c>files[]</c>, docs/json-schema.md) and SARIF for <c>nativelinkguard runtime</c>.</summary>
public static class RuntimeReportWriter
{
    public static string Text(IEnumerable<RuntimeFileReport> reports, bool verbose = false)
    {
        var w = new StringWriter();
        WriteText(w, reports, verbose);
        return w.ToString();
    }

    /// <summary>
    /// The text report, written in order, one file at a time through one reused buffer as REPORTS yields them: a
    /// thousand files make megabytes of chains and search traces, never held whole.
    /// </summary>
    public static void WriteText(TextWriter writer, IEnumerable<RuntimeFileReport> reports, bool verbose = false)
    {
        var sb = new StringBuilder();
        int count = 0, loads = 0;
        foreach (var r in reports)
        {
            count++;
            if (r.Loadable) loads++;
            Append(sb, r, verbose);
            writer.Write(sb);
            sb.Clear();
        }
        writer.WriteLine($"{loads} of {count} file(s) load");
    }

    private static void Append(StringBuilder sb, RuntimeFileReport r, bool verbose)
    {
        sb.AppendLine($"runtime {r.Path}: {(r.Loadable ? "loads" : "does NOT load")}");
        if (verbose)
            foreach (var l in r.Libraries)
                sb.AppendLine($"    {l.Name} => {l.Path ?? "not found"}{(l.Rule is null ? "" : $"  [{l.Rule}]")}  "
                    + $"(needed by {Path.GetFileName(l.NeededBy)})");
        foreach (var f in r.Findings) TextReportWriter.AppendFinding(sb, f, false, "ld.so");
        if (verbose) foreach (var n in r.Notes) sb.AppendLine("  note: " + n);
        if (r.Findings.Count > 0) sb.AppendLine();
    }

    public static string Json(IEnumerable<RuntimeFileReport> reports)
    {
        using var ms = new MemoryStream();
        WriteJson(ms, reports);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The JSON report straight into STREAM, each file as REPORTS yields it: every lookup of a thousand
    /// files is hundreds of megabytes, never held as one string nor as one list of reports.</summary>
    public static void WriteJson(Stream stream, IEnumerable<RuntimeFileReport> reports)
    {
        // One fixed buffer under the writer, written out as it fills; the rows of "libraries" go into it directly.
        var output = new StreamBufferWriter(stream);
        LibraryRowWriter? rows = null;
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
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
                w.Flush();
                (rows ??= new LibraryRowWriter(w.CurrentDepth)).Write(output, LibraryListing.Of(r.Libraries));
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
        output.Flush();
        stream.Flush();
    }

    /// <summary>SARIF through the link writer: each file is reported like a link whose output is that file.</summary>
    public static string Sarif(IReadOnlyList<RuntimeFileReport> reports, string version) =>
        SarifReportWriter.Write(reports.Select(r => new LinkReport(r.Path,
            r.Loadable ? PredictedOutcome.Succeeds : PredictedOutcome.Fails,
            r.Findings, null, [], r.Notes, 0)).ToList(), version);
}
