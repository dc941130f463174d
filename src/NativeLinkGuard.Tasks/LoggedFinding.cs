using System.Text.Json;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// One finding as the task logs it: the same from a fresh check and from a replayed report. File and line point at
/// the CMake code that defined the target when known (IDEs and CI annotations jump there).
/// </summary>
internal sealed record LoggedFinding(string Code, string Severity, string Message, string HelpLink, string? File = null, int Line = 0)
{
    public static LoggedFinding From(LinkReport report, Finding f)
    {
        string fix = OneLineFix.Text(f.Suggestions, f.Notes);
        return new(f.Code, f.Severity.ToString().ToLowerInvariant(), $"{Path.GetFileName(report.Output)}: {f.Message}.{fix}", f.HelpLink,
            report.Target?.DefinedAt?.File, report.Target?.DefinedAt?.Line ?? 0);
    }

    /// <summary>Reads the findings back from a JSON report (docs/json-schema.md); null when it cannot be read.</summary>
    public static List<LoggedFinding>? FromReport(string reportPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(reportPath));
            var list = new List<LoggedFinding>();
            foreach (var link in doc.RootElement.GetProperty("links").EnumerateArray())
            {
                string output = Path.GetFileName(link.GetProperty("output").GetString() ?? "");
                bool located = link.TryGetProperty("definedAt", out var at);
                foreach (var f in link.GetProperty("findings").EnumerateArray())
                {
                    var notes = f.TryGetProperty("notes", out var n) ? Strings(n) : [];
                    string fix = OneLineFix.Text(f.GetProperty("suggestions").EnumerateArray().Select(ReadSuggestion).ToList(), notes);
                    list.Add(new LoggedFinding(f.GetProperty("code").GetString() ?? "", f.GetProperty("severity").GetString() ?? "warning",
                        $"{output}: {f.GetProperty("message").GetString()}.{fix}", f.GetProperty("helpUri").GetString() ?? "",
                        located ? at.GetProperty("file").GetString() : null, located ? at.GetProperty("line").GetInt32() : 0));
                }
            }
            return list;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(x => x.GetString() ?? "").ToList();

    /// <summary>A suggestion as the JSON report writes it (docs/json-schema.md), for the one-line fix.</summary>
    private static Suggestion ReadSuggestion(JsonElement s)
    {
        static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
        var env = s.TryGetProperty("environment", out var e) ? e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "") : null;
        var ops = s.TryGetProperty("fileOperations", out var o)
            ? o.EnumerateArray().Select(x => new FileOperation(Str(x, "kind") ?? "", Str(x, "path"), Str(x, "target"), Str(x, "source"), Str(x, "destination"))).ToList()
            : null;
        return new Suggestion(Str(s, "quality") == "proper" ? SuggestionQuality.Proper : SuggestionQuality.Workaround, Str(s, "summary") ?? "",
            Strings(s.GetProperty("flags")), Str(s, "why") ?? "", env, ops)
        { Commands = s.TryGetProperty("commands", out var c) ? Strings(c) : null };
    }

    /// <summary>The library paths of every link in a JSON report (older reports have none).</summary>
    public static IReadOnlyList<string> LibrariesFromReport(string reportPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(reportPath));
            return doc.RootElement.GetProperty("links").EnumerateArray()
                .SelectMany(l => l.TryGetProperty("libraries", out var libs) ? libs.EnumerateArray() : Enumerable.Empty<JsonElement>())
                .Where(l => !l.GetProperty("droppedByAsNeeded").GetBoolean())
                .Select(l => l.GetProperty("path").GetString()).OfType<string>().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return [];
        }
    }
}
