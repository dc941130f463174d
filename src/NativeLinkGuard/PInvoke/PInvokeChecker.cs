using System.Diagnostics;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// <c>nativelinkguard pinvoke</c>: will this .NET app load its native libraries where it is deployed? Reads what
/// the app's assemblies ask for (<see cref="AssemblyImportReader"/>), lays the app out as the host does
/// (<see cref="AppLayout"/>), probes each name as the runtime will (<see cref="NativeLibraryProbe"/>), and reports
/// each library that will throw DllNotFoundException as NLG0016 with every path tried and verified fixes.
/// </summary>
public static class PInvokeChecker
{
    public static PInvokeReport Check(string app, PInvokeRequest request)
    {
        var clock = Stopwatch.StartNew();
        var layout = AppLayout.Read(app, request.RuntimeIdentifier, request.DotnetRoot);
        var imports = new List<NativeImport>();
        var unchecked_ = new List<UncheckedLoad>();
        foreach (var a in layout.Assemblies)
        {
            if (AssemblyImportReader.Read(a) is not { } read) continue;
            imports.AddRange(read.Imports);
            unchecked_.AddRange(read.Unchecked);
        }

        var probe = new NativeLibraryProbe(layout, request);
        var libraries = new List<PInvokeLibrary>();
        var groups = imports.GroupBy(i => (i.Name, i.Kind, i.SearchPaths, i.AppRelative))
            .OrderBy(g => g.Key.Name, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var (name, kind, flags, appRelative) = group.Key;
            string probed = appRelative ? Path.Combine(layout.AppDirectory, name) : name;
            var (loaded, trace, failed) = probe.Probe(probed, kind, flags);
            libraries.Add(new PInvokeLibrary(name, kind, flags, appRelative, group.ToList(), loaded is not null, loaded,
                trace, failed));
        }

        var advisor = new PInvokeFixAdvisor(layout, request, probe);
        var findings = libraries.Where(l => !l.Loads)
            .Select(l => NotFound(layout, l, advisor, request.Severity))
            .ToList();
        var notes = new List<string>(layout.Notes);
        if (!string.IsNullOrEmpty(request.LdLibraryPath))
            notes.Add($"LD_LIBRARY_PATH={request.LdLibraryPath} (as configured for the deployment)");
        return new PInvokeReport(layout, libraries, findings, unchecked_, notes, clock.ElapsedMilliseconds);
    }

    public static string Describe(ImportKind kind) => kind switch
    {
        ImportKind.DllImport => "DllImport",
        ImportKind.LoadByPath => "NativeLibrary.Load",
        _ => "NativeLibrary.Load with an assembly",
    };

    private static Finding NotFound(AppLayout layout, PInvokeLibrary lib, PInvokeFixAdvisor advisor, Severity severity)
    {
        var (suggestions, notes) = advisor.Advise(lib);
        var first = lib.Importers[0];
        string who = lib.Importers.Count == 1
            ? $"{first.Member} in {first.Assembly}"
            : $"{first.Member} in {first.Assembly} and {lib.Importers.Count - 1} more";
        string shown = lib.AppRelative ? "$(AppContext.BaseDirectory)/" + lib.Name : lib.Name;
        var allNotes = new List<string>(notes);
        if (lib.Kind == ImportKind.LoadByPath && !lib.Name.Contains('/'))
            allNotes.Add("NativeLibrary.Load(string) is a plain dlopen: no name variations and no app directory; " +
                "NativeLibrary.Load(name, assembly, null) searches like a DllImport");
        if (lib.SearchPaths is { } f && !DllImportSearchPaths.SearchesAssemblyDirectory(f))
            allNotes.Add($"{DllImportSearchPaths.Describe(f)}: the app directory is not searched on Linux");
        if (lib.Trace.Count == 0) allNotes.Add("nothing was tried: the search flags leave no place to look");
        string opened = lib.AppRelative ? Path.Combine(layout.AppDirectory, lib.Name) : lib.Name;
        return new Finding
        {
            Code = DiagnosticCodes.PInvokeLibraryNotFound, Severity = severity,
            Message = $"'{shown}' ({Describe(lib.Kind)} of {who}) will not be loaded by the .NET runtime: " +
                "the call throws DllNotFoundException",
            Library = shown, NeededBy = first.Assembly,
            Chain = [Path.GetFileName(layout.MainAssembly), first.Member, shown],
            Searched = lib.Trace.Select(t => new SearchedDirectory(t.Path, t.Rule, t.Result)).ToList(),
            Suggestions = suggestions, Notes = allNotes,
            LdMessage = $"Unable to load shared library '{opened}' or one of its dependencies.",
        };
    }
}
