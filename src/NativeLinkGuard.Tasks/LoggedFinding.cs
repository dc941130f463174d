using System.Text.Json;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// One finding as the task logs it: the same from a fresh check and from a replayed report. File and line point at
/// the CMake code that defined the target when known (IDEs and CI annotations jump there).
/// </summary>
internal sealed record LoggedFinding(
    string Code,
    Severity Severity,
    string Message,
    string HelpLink,
    string? File = null,
    int Line = 0)
{
    public static LoggedFinding From(LinkReport report, Finding f) =>
        new(f.Code, f.Severity, OneLineFix.Line(Path.GetFileName(report.Output), f), f.HelpLink,
            f.Location?.File, f.Location?.Line ?? 0);

    /// <summary>
    /// Reads the findings back from a JSON report (docs/json-schema.md); null when it cannot be read.
    /// </summary>
    public static List<LoggedFinding>? FromReport(string reportPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(reportPath));
            var list = new List<LoggedFinding>();
            foreach (var link in doc.RootElement.GetProperty("links").EnumerateArray())
            {
                string output = Path.GetFileName(link.GetProperty("output").GetString() ?? "");
                // Reports written before findings had their own location carry the target's only.
                var definedAt = link.TryGetProperty("definedAt", out var at) ? at : (JsonElement?)null;
                foreach (var f in link.GetProperty("findings").EnumerateArray())
                    list.Add(ReadFinding(f, output, f.TryGetProperty("location", out var l) ? l : definedAt));
            }
            return list;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException
            or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static LoggedFinding ReadFinding(JsonElement f, string output, JsonElement? location)
    {
        var notes = f.TryGetProperty("notes", out var n) ? Strings(n) : [];
        var suggestions = f.GetProperty("suggestions").EnumerateArray().Select(ReadSuggestion).ToList();
        string message = OneLineFix.Line(output, f.GetProperty("message").GetString() ?? "", suggestions, notes);
        var severity = f.GetProperty("severity").GetString() switch
        {
            "error" => Severity.Error,
            "info" => Severity.Info,
            _ => Severity.Warning,
        };
        return new LoggedFinding(f.GetProperty("code").GetString() ?? "", severity, message,
            f.GetProperty("helpUri").GetString() ?? "",
            location?.GetProperty("file").GetString(), location?.GetProperty("line").GetInt32() ?? 0);
    }

    private static List<string> Strings(JsonElement array) =>
        array.EnumerateArray().Select(x => x.GetString() ?? "").ToList();

    /// <summary>A suggestion as the JSON report writes it (docs/json-schema.md), for the one-line fix.</summary>
    private static Suggestion ReadSuggestion(JsonElement s)
    {
        var env = s.TryGetProperty("environment", out var e)
            ? e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : null;
        var ops = s.TryGetProperty("fileOperations", out var o)
            ? o.EnumerateArray().Select(x => new FileOperation(
                    Str(x, "kind") ?? "", Str(x, "path"), Str(x, "target"), Str(x, "source"), Str(x, "destination")))
                .ToList()
            : null;
        var quality = Str(s, "quality") == "proper" ? SuggestionQuality.Proper : SuggestionQuality.Workaround;
        return new Suggestion(
            quality, Str(s, "summary") ?? "", Strings(s.GetProperty("flags")), Str(s, "why") ?? "", env, ops)
        {
            Commands = s.TryGetProperty("commands", out var c) ? Strings(c) : null,
        };
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    /// <summary>The library paths of every link in a JSON report (older reports have none).</summary>
    public static IReadOnlyList<string> LibrariesFromReport(string reportPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(reportPath));
            return doc.RootElement.GetProperty("links").EnumerateArray()
                .SelectMany(l => l.TryGetProperty("libraries", out var libs)
                    ? libs.EnumerateArray()
                    : Enumerable.Empty<JsonElement>())
                .Where(l => !l.GetProperty("droppedByAsNeeded").GetBoolean())
                .Select(l => l.GetProperty("path").GetString()).OfType<string>().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException
            or KeyNotFoundException or InvalidOperationException)
        {
            return [];
        }
    }
}
