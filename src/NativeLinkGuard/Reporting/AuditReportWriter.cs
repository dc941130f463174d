using System.Text;
using System.Text.Json;
using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Reporting;

/// <summary>Text and JSON for <c>nativelinkguard audit</c>; each suggestion
/// carries <c>commands[]</c> to run in the audited directory.</summary>
public static class AuditReportWriter
{
    public static string Text(IReadOnlyList<DirectoryAudit> audits)
    {
        var sb = new StringBuilder();
        foreach (var a in audits)
        {
            string summary = a.Findings.Count == 0 ? "clean" : $"{a.Findings.Count} finding(s)";
            sb.AppendLine($"audit {a.Directory}: {summary}");
            foreach (var f in a.Findings)
            {
                sb.AppendLine($"  {f.Severity.ToString().ToLowerInvariant()} {f.Code}: {f.Message}");
                if (f.LdMessage.Length > 0) sb.AppendLine($"    ldconfig: {f.LdMessage}");
                foreach (var s in f.Suggestions)
                {
                    sb.AppendLine($"    fix: {s.Summary}");
                    foreach (var c in s.Commands ?? []) sb.AppendLine($"      $ {c}");
                }
            }
        }
        return sb.ToString();
    }

    public static string Json(IReadOnlyList<DirectoryAudit> audits)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", JsonReportWriter.SchemaVersion);
            w.WriteString("tool", "nativelinkguard");
            w.WriteStartArray("audits");
            foreach (var a in audits)
            {
                w.WriteStartObject();
                w.WriteString("directory", a.Directory);
                w.WriteStartObject("sonameLinks");
                foreach (var (k, v) in a.SonameLinks) w.WriteString(k, v);
                w.WriteEndObject();
                w.WriteStartArray("findings");
                foreach (var f in a.Findings)
                {
                    w.WriteStartObject();
                    w.WriteString("code", f.Code);
                    w.WriteString("severity", f.Severity.ToString().ToLowerInvariant());
                    w.WriteString("message", f.Message);
                    w.WriteString("library", f.Library);
                    w.WriteString("ldconfigMessage", f.LdMessage);
                    w.WriteStartArray("suggestions");
                    int rank = 1;
                    foreach (var s in f.Suggestions)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("rank", rank++);
                        w.WriteString("quality", s.Quality == SuggestionQuality.Proper ? "proper" : "workaround");
                        w.WriteString("summary", s.Summary);
                        w.WriteStartArray("commands");
                        foreach (var c in s.Commands ?? []) w.WriteStringValue(c);
                        w.WriteEndArray();
                        w.WriteString("why", s.Why);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteString("helpUri", f.HelpLink);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
