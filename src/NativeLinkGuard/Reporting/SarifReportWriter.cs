using System.Text;
using System.Text.Json;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Reporting;

/// <summary>SARIF 2.1.0 for code-scanning viewers: one run, one
/// result per finding, fixes in the message and properties.</summary>
public static class SarifReportWriter
{
    /// <summary>Each rule's helpUri: this page with the code in lower case as its anchor.</summary>

    private static readonly (string Id, string Name, string Text)[] s_rules =
    [
        (DiagnosticCodes.DirectLibraryNotFound, "DirectLibraryNotFound",
            "A library named on the link command line will not be found by ld."),
        (DiagnosticCodes.IndirectDependencyNotFound, "IndirectDependencyNotFound",
            "A DT_NEEDED dependency of a linked shared library will not be found by ld."),
        (DiagnosticCodes.IncompatibleLibrarySkipped, "IncompatibleLibrarySkipped",
            "ld skips a library built for another ELF class or machine."),
        (DiagnosticCodes.UndefinedReference, "UndefinedReference",
            "References that no input of the link defines (ld: undefined reference)."),
        (DiagnosticCodes.SymbolVersionMissing, "SymbolVersionMissing",
            "A versioned reference whose provider lacks that version (e.g. GLIBC_2.28 against an older sysroot)."),
        (DiagnosticCodes.DsoMissingFromCommandLine, "DsoMissingFromCommandLine",
            "The program uses a library that is only an indirect dependency (ld: DSO missing from command line)."),
        (DiagnosticCodes.NeededMayConflict, "NeededMayConflict",
            "Two versions of one library end up in the link (ld: may conflict with)."),
        (DiagnosticCodes.InputUnusable, "InputUnusable", "ld finds an input it cannot use."),
        (DiagnosticCodes.StubsInRuntimePath, "StubsInRuntimePath", "A stubs directory is in a run-time search path."),
        (DiagnosticCodes.NotLoadableAtRunTime, "NotLoadableAtRunTime",
            "ld.so will not load the file where it is deployed."),
        (DiagnosticCodes.DriverLibraryAtRunTime, "DriverLibraryAtRunTime",
            "A library the GPU driver provides at run time is absent on this machine."),
        (DiagnosticCodes.ShlibUndefinedAllowed, "ShlibUndefinedAllowed",
            "--allow-shlib-undefined hides missing dependencies until run time."),
        (DiagnosticCodes.CheckFailed, "CheckFailed", "The link could not be checked."),
    ];

    public static string Write(IReadOnlyList<LinkReport> reports, string version)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            w.WriteString("version", "2.1.0");
            w.WriteStartArray("runs");
            w.WriteStartObject();
            w.WriteStartObject("tool");
            w.WriteStartObject("driver");
            w.WriteString("name", "NativeLinkGuard");
            w.WriteString("version", version);
            w.WriteString("informationUri", "https://github.com/nativelinkguard/nativelinkguard");
            w.WriteStartArray("rules");
            foreach (var (id, name, text) in s_rules)
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("name", name);
                w.WriteStartObject("shortDescription");
                w.WriteString("text", text);
                w.WriteEndObject();
                w.WriteString("helpUri", DiagnosticCodes.HelpLink(id));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("results");
            foreach (var r in reports)
                foreach (var f in r.Findings)
                {
                    w.WriteStartObject();
                    w.WriteString("ruleId", f.Code);
                    w.WriteString("level",
                        f.Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "note" });
                    w.WriteStartObject("message");
                    w.WriteString("text", f.Message + "." + OneLineFix.Text(f.Suggestions, f.Notes));
                    w.WriteEndObject();
                    w.WriteStartArray("locations");
                    w.WriteStartObject();
                    WritePhysicalLocation(w, r, f);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteStartObject("properties");
                    w.WriteString("library", f.Library);
                    w.WriteString("chain", string.Join(" → ", f.Chain));
                    w.WriteStartArray("suggestedFlags");
                    foreach (var s in f.Suggestions) w.WriteStringValue(ShellQuote.Join(s.Flags));
                    w.WriteEndArray();
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// Where the finding is fixed: the CMake code that defined the target (file URI and line) when known; else the
    /// link's output. Microsoft's validator (Sarif.Multitool validate) wants a region on every physical location
    /// (SARIF2017).
    /// </summary>
    private static void WritePhysicalLocation(Utf8JsonWriter w, LinkReport r, Finding f)
    {
        w.WriteStartObject("physicalLocation");
        w.WriteStartObject("artifactLocation");
        // A location without a line (a link.txt) has no region to give: the binary stands for the finding then.
        if ((f.Location is { Line: > 0 } line ? line : r.Target?.DefinedAt) is { } at)
        {
            w.WriteString("uri", new Uri(at.File).AbsoluteUri);
            w.WriteEndObject();
            if (at.Line > 0)
            {
                w.WriteStartObject("region");
                w.WriteNumber("startLine", at.Line);
                w.WriteEndObject();
            }
        }
        else
        {
            // A binary (the link's output, a checked library): the finding is about the whole file, not a text line.
            w.WriteString("uri",
                Path.IsPathRooted(r.Output) ? new Uri(r.Output).AbsoluteUri : r.Output.Replace('\\', '/'));
            w.WriteEndObject();
            w.WriteStartObject("region");
            w.WriteNumber("byteOffset", 0);
            w.WriteNumber("byteLength", 0);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
