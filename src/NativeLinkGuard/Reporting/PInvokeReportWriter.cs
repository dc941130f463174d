using System.Text;
using System.Text.Json;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.PInvoke;

namespace NativeLinkGuard.Reporting;

/// <summary>Text, JSON (<c>libraries[]</c>) and SARIF for <c>nativelinkguard pinvoke</c>.</summary>
public static class PInvokeReportWriter
{
    public static string Text(PInvokeReport r, bool verbose = false)
    {
        var sb = new StringBuilder();
        var l = r.Layout;
        string deployment = l.SelfContained ? "self-contained" : "framework-dependent";
        sb.AppendLine($"pinvoke {l.MainAssembly}: {l.Rid}, {deployment}");
        if (verbose)
        {
            foreach (var d in l.NativeSearchDirectories)
                sb.AppendLine($"  NATIVE_DLL_SEARCH_DIRECTORIES {d.Directory}  [{d.Rule}]");
            foreach (var lib in r.Libraries)
                sb.AppendLine($"  {lib.Name} => {lib.LoadedFrom ?? "not loaded"}  " +
                    $"({PInvokeChecker.Describe(lib.Kind)}, {lib.Importers.Count} member(s))");
            foreach (var n in r.Notes) sb.AppendLine("  note: " + n);
        }
        foreach (var f in r.Findings) TextReportWriter.AppendFinding(sb, f, false, ".NET");
        foreach (var u in r.Unchecked) sb.AppendLine($"  not checked: {u.Member} in {u.Assembly}: {u.Why}");
        int bad = r.Libraries.Count(x => !x.Loads);
        sb.AppendLine();
        string libraries = r.Libraries.Count == 1 ? "library" : "libraries";
        string notChecked = r.Unchecked.Count > 0 ? $", {r.Unchecked.Count} load(s) not checked" : "";
        sb.AppendLine($"{r.Libraries.Count - bad} of {r.Libraries.Count} native {libraries} " +
            $"load{notChecked} ({r.ElapsedMilliseconds} ms)");
        return sb.ToString();
    }

    public static string Json(PInvokeReport r)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", JsonReportWriter.SchemaVersion);
            w.WriteString("tool", "nativelinkguard");
            w.WriteString("command", "pinvoke");
            w.WriteString("app", r.Layout.MainAssembly);
            w.WriteString("rid", r.Layout.Rid);
            w.WriteBoolean("selfContained", r.Layout.SelfContained);
            JsonReportWriter.WriteStrings(w, "nativeSearchDirectories",
                r.Layout.NativeSearchDirectories.Select(d => d.Directory).ToList());
            w.WriteStartArray("libraries");
            foreach (var lib in r.Libraries)
            {
                w.WriteStartObject();
                w.WriteString("name", lib.Name);
                w.WriteString("kind", PInvokeChecker.Describe(lib.Kind));
                if (lib.SearchPaths is { } f) w.WriteNumber("searchPaths", f); else w.WriteNull("searchPaths");
                w.WriteBoolean("loads", lib.Loads);
                if (lib.LoadedFrom is null) w.WriteNull("path"); else w.WriteString("path", lib.LoadedFrom);
                JsonReportWriter.WriteStrings(w, "importedBy",
                    lib.Importers.Select(i => $"{i.Assembly}:{i.Member}").ToList());
                w.WriteStartArray("tried");
                foreach (var t in lib.Trace)
                {
                    w.WriteStartObject();
                    w.WriteString("path", t.Path);
                    w.WriteString("rule", t.Rule);
                    w.WriteString("result", t.Result);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("findings");
            foreach (var f in r.Findings) JsonReportWriter.WriteFinding(w, f);
            w.WriteEndArray();
            w.WriteStartArray("notChecked");
            foreach (var u in r.Unchecked)
            {
                w.WriteStartObject();
                w.WriteString("assembly", u.Assembly);
                w.WriteString("member", u.Member);
                w.WriteString("why", u.Why);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            JsonReportWriter.WriteStrings(w, "notes", r.Notes);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>SARIF through the link writer: the app is reported like a link whose output is the app.</summary>
    public static string Sarif(PInvokeReport r, string version)
    {
        var outcome = r.AllLoad ? PredictedOutcome.Succeeds : PredictedOutcome.Fails;
        var report = new LinkReport(r.Layout.MainAssembly, outcome, r.Findings, null, [], r.Notes,
            r.ElapsedMilliseconds);
        return SarifReportWriter.Write([report], version);
    }
}
