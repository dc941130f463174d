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
        string fix = f.Suggestions.FirstOrDefault() is { } s
            ? $" Fix: {s.Summary}{(s.Flags.Count > 0 ? " (" + ShellQuote.Join(s.Flags) + ")" : "")}."
            : "";
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
                    string fix = "";
                    if (f.GetProperty("suggestions").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } s)
                    {
                        var flags = s.GetProperty("flags").EnumerateArray().Select(x => x.GetString() ?? "").ToList();
                        fix = $" Fix: {s.GetProperty("summary").GetString()}{(flags.Count > 0 ? " (" + ShellQuote.Join(flags) + ")" : "")}.";
                    }
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
