using System.Text;
using System.Text.Json;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Reporting;

/// <summary>
/// The machine format; its schema is docs/json-schema.md (version 1). Written with Utf8JsonWriter: no reflection,
/// so it works trimmed and under NativeAOT, and the field order is stable.
/// </summary>
public static class JsonReportWriter
{
    public const int SchemaVersion = 1;

    public static string Write(IReadOnlyList<LinkReport> reports)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", SchemaVersion);
            w.WriteString("tool", "nativelinkguard");
            w.WriteStartArray("links");
            foreach (var r in reports) WriteLink(w, r);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteLink(Utf8JsonWriter w, LinkReport r)
    {
        w.WriteStartObject();
        if (r.Target is { } t)
        {
            w.WriteString("target", t.Name);
            w.WriteString("type", t.Type);
            w.WriteString("output", t.Output);
            if (t.DefinedAt is { } at) WriteLocation(w, "definedAt", at);
        }
        else
        {
            w.WriteString("output", r.Output);
        }
        w.WriteString("predictedOutcome", r.PredictedOutcome == PredictedOutcome.Fails ? "fails" : "succeeds");
        if (r.Linker is { } l)
        {
            w.WriteStartObject("linker");
            w.WriteString("path", l.Path);
            w.WriteString("version", l.Version);
            w.WriteString("target", l.Target);
            w.WriteString("sysroot", l.Sysroot);
            w.WriteBoolean("native", l.Native);
            w.WriteEndObject();
        }
        w.WriteNumber("elapsedMs", r.ElapsedMilliseconds);
        w.WriteStartArray("findings");
        foreach (var f in r.Findings) WriteFinding(w, f);
        w.WriteEndArray();
        w.WriteStartArray("libraries");
        foreach (var lib in r.Libraries)
        {
            w.WriteStartObject();
            w.WriteString("path", lib.Path);
            if (lib.Soname is null) w.WriteNull("soname"); else w.WriteString("soname", lib.Soname);
            w.WriteBoolean("commandLine", lib.CommandLine);
            w.WriteBoolean("droppedByAsNeeded", lib.DroppedByAsNeeded);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteStrings(w, "linkerArguments", r.LinkerArguments);
        WriteStrings(w, "notes", r.Notes);
        w.WriteEndObject();
    }

    internal static void WriteFinding(Utf8JsonWriter w, Finding f)
    {
        w.WriteStartObject();
        w.WriteString("code", f.Code);
        w.WriteString("severity", f.Severity.ToString().ToLowerInvariant());
        w.WriteString("message", f.Message);
        w.WriteString("ldMessage", f.LdMessage);
        w.WriteString("library", f.Library);
        if (f.NeededBy is null) w.WriteNull("neededBy"); else w.WriteString("neededBy", f.NeededBy);
        WriteStrings(w, "chain", f.Chain);
        // Symbol-level findings (NLG0006-NLG0008) only; absent otherwise.
        if (f.Symbols is { } symbols) WriteStrings(w, "symbols", symbols);
        if (f.NeededVersion is { } nv) w.WriteString("neededVersion", nv);
        if (f.ProvidedVersions is { } pv) WriteStrings(w, "providedVersions", pv);
        w.WriteStartArray("searched");
        foreach (var s in f.Searched)
        {
            w.WriteStartObject();
            w.WriteString("directory", s.Directory);
            w.WriteString("rule", s.Rule);
            w.WriteString("result", s.Result);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("suggestions");
        int rank = 1;
        foreach (var s in f.Suggestions)
        {
            w.WriteStartObject();
            w.WriteNumber("rank", rank++);
            w.WriteString("quality", s.Quality == SuggestionQuality.Proper ? "proper" : "workaround");
            w.WriteBoolean("verified", s.Verified);
            w.WriteString("summary", s.Summary);
            WriteStrings(w, "flags", s.Flags);
            if (s.Environment is { Count: > 0 } env)
            {
                w.WriteStartObject("environment");
                foreach (var (k, v) in env) w.WriteString(k, v);
                w.WriteEndObject();
            }
            if (s.FileOperations is { Count: > 0 } ops)
            {
                w.WriteStartArray("fileOperations");
                foreach (var op in ops)
                {
                    w.WriteStartObject();
                    w.WriteString("kind", op.Kind);
                    if (op.Path is not null) w.WriteString("path", op.Path);
                    if (op.Target is not null) w.WriteString("target", op.Target);
                    if (op.Source is not null) w.WriteString("source", op.Source);
                    if (op.Destination is not null) w.WriteString("destination", op.Destination);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (s.Commands is { Count: > 0 } commands) WriteStrings(w, "commands", commands);
            if (s.CMake is not null) w.WriteString("cmake", s.CMake);
            if (s.LdFlags is not null) w.WriteString("ldflags", s.LdFlags);
            w.WriteString("why", s.Why);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteStrings(w, "notes", f.Notes);
        if (f.Location is { } at) WriteLocation(w, "location", at);
        w.WriteString("helpUri", f.HelpLink);
        w.WriteEndObject();
    }

    private static void WriteLocation(Utf8JsonWriter w, string name, SourceLocation at)
    {
        w.WriteStartObject(name);
        w.WriteString("file", at.File);
        w.WriteNumber("line", at.Line);
        w.WriteEndObject();
    }

    internal static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
