using System.Text;
using System.Text.Json;
using NativeLinkGuard.Reporting;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Reporting;

/// <summary>
/// <c>runtime --format json</c> writes the rows of "libraries" itself, straight into the output (LibraryRowWriter):
/// its bytes must be the ones an indented Utf8JsonWriter writes property by property (docs/json-schema.md), for the
/// strings that need escaping, null paths and rules, empty listings, and the listings the checker makes.
/// </summary>
public sealed class RuntimeJsonWriterTests
{
    [Test]
    public void Rows_are_written_byte_for_byte_as_the_json_writer_writes_them()
    {
        string host = Environment.ProcessPath!;
        Tool.Require(File.Exists(host) && OperatingSystem.IsLinux(), "needs the test host's own ELF executable");
        string notElf = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notElf, "not an ELF file");
            var checker = new RuntimeChecker(new RuntimeRequest { LdLibraryPath = "", IncludeLibraries = true });
            var listed = checker.Check(host);
            Assert.That(listed.Libraries, Is.Not.Empty, "the host's own DT_NEEDED are listed");
            var reports = new List<RuntimeFileReport>
            {
                listed,
                // The same rows as a plain list (a report made by a caller).
                listed with { Libraries = listed.Libraries.ToList() },
                new("odd \"root\"", true, [], OddRows(), ["a note"]),
                checker.Check(notElf),
                new("empty", true, [], [], []),
            };
            Assert.That(RuntimeReportWriter.Json(reports), Is.EqualTo(Reference(reports)));
        }
        finally
        {
            File.Delete(notElf);
        }
    }

    // Everything the default encoder escapes or transcodes: quotes, backslashes, control characters, HTML-sensitive
    // characters, non-ASCII and a surrogate pair; the same string object repeated; null path and rule.
    private static List<RuntimeLibrary> OddRows()
    {
        string odd = "/p/a\"b\\c\nd\te<f>&g'h+i`j/é/ü/😀/lib.so";
        return
        [
            new(odd, "root", odd, "DT_RUNPATH of x\u0001y"),
            new("libmissing.so.1", odd, null, null),
            new(odd, odd, odd, "already loaded"),
            new("", "", "", ""),
        ];
    }

    // The report as an indented Utf8JsonWriter writes it, property by property (the writer before rows were written
    // straight into the output).
    private static string Reference(IEnumerable<RuntimeFileReport> reports)
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
                    w.WriteString("path", l.Path);
                    w.WriteString("rule", l.Rule);
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
}
