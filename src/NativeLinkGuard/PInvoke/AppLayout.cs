using System.Text.Json;

namespace NativeLinkGuard.PInvoke;

/// <summary>A directory of NATIVE_DLL_SEARCH_DIRECTORIES and why the host put it there.</summary>
public sealed record NativeSearchDirectory(string Directory, string Rule);

/// <summary>
/// A built or published app as the .NET host lays it out for the runtime: its main assembly, the RID it runs as,
/// self-contained or not, the managed assemblies it ships, and NATIVE_DLL_SEARCH_DIRECTORIES — the directories of
/// the deps.json native assets (best RID per package), then the frameworks' directories (docs/pinvoke-rules.md §3).
/// </summary>
public sealed record AppLayout(
    string AppDirectory,
    string MainAssembly,
    string Rid,
    bool SelfContained,
    IReadOnlyList<NativeSearchDirectory> NativeSearchDirectories,
    IReadOnlyList<string> Assemblies,
    IReadOnlyList<string> Notes)
{
    /// <summary>
    /// APP is an app's .dll or its output/publish directory (the .dll next to a .runtimeconfig.json; the one named by
    /// the directory's deps.json when there are several). RID: the deployment's, when the output is RID-less.
    /// </summary>
    public static AppLayout Read(string app, string? rid = null, string? dotnetRoot = null)
    {
        string main = FindMainAssembly(app);
        string dir = Path.GetDirectoryName(Path.GetFullPath(main))!;
        string stem = Path.GetFileNameWithoutExtension(main);
        var notes = new List<string>();
        var search = new List<NativeSearchDirectory>();
        var assemblies = new List<string>();

        var frameworks = new List<(string Name, string Version)>();
        bool selfContained = ReadRuntimeConfig(Path.Combine(dir, stem + ".runtimeconfig.json"), frameworks, notes);
        string? depsRid = ReadDeps(Path.Combine(dir, stem + ".deps.json"), dir, rid, search, assemblies, notes);
        if (assemblies.Count == 0)
            assemblies.AddRange(Directory.EnumerateFiles(dir, "*.dll").Order(StringComparer.Ordinal));
        if (!assemblies.Contains(main)) assemblies.Insert(0, main);

        if (selfContained) AddSearch(search, dir, "self-contained: the runtime's own directory is the app directory");
        else AddFrameworkDirectories(frameworks, dotnetRoot ?? DotnetRoot(), search, notes);
        string effectiveRid = rid ?? depsRid ?? RuntimeIdentifiers.Host();
        return new AppLayout(dir, main, effectiveRid, selfContained, search, assemblies, notes);
    }

    /// <summary>The frameworks the runtimeconfig.json names, into FRAMEWORKS; true for a self-contained app.</summary>
    private static bool ReadRuntimeConfig(string configPath, List<(string Name, string Version)> frameworks,
        List<string> notes)
    {
        if (!File.Exists(configPath))
        {
            notes.Add($"no {Path.GetFileName(configPath)}: assumed framework-dependent on Microsoft.NETCore.App");
            return false;
        }
        using var config = ReadJson(configPath, notes);
        if (config?.RootElement is not { ValueKind: JsonValueKind.Object } cr
            || !cr.TryGetProperty("runtimeOptions", out var ro) || ro.ValueKind != JsonValueKind.Object)
            return false;
        if (ro.TryGetProperty("framework", out var f)) frameworks.Add(Framework(f));
        if (ro.TryGetProperty("frameworks", out var fs) && fs.ValueKind == JsonValueKind.Array)
            foreach (var e in fs.EnumerateArray()) frameworks.Add(Framework(e));
        return ro.TryGetProperty("includedFrameworks", out _);
    }

    /// <summary>
    /// The app's assemblies and native asset directories from its deps.json; the RID of a RID-specific target
    /// (null for a RID-less one).
    /// </summary>
    private static string? ReadDeps(string depsPath, string dir, string? rid, List<NativeSearchDirectory> search,
        List<string> assemblies, List<string> notes)
    {
        string? depsRid = null;
        using var deps = File.Exists(depsPath) ? ReadJson(depsPath, notes) : null;
        try
        {
            if (deps?.RootElement is { ValueKind: JsonValueKind.Object } root)
            {
                string target = root.TryGetProperty("runtimeTarget", out var rt)
                                && rt.TryGetProperty("name", out var tn)
                    ? tn.GetString() ?? ""
                    : "";
                // A RID-specific target (".NETCoreApp,Version=v10.0/linux-x64") is a publish or a -r build:
                // assets are flat in the app dir.
                if (target.Contains('/')) depsRid = target[(target.IndexOf('/') + 1)..];
                var fallbacks = RuntimeIdentifiers.Fallbacks(rid ?? depsRid ?? RuntimeIdentifiers.Host());
                var types = new Dictionary<string, string>(StringComparer.Ordinal);
                if (root.TryGetProperty("libraries", out var libs))
                    foreach (var l in libs.EnumerateObject())
                        types[l.Name] = l.Value.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
                if (root.TryGetProperty("targets", out var targets)
                    && targets.TryGetProperty(target, out var libraries))
                    foreach (var lib in libraries.EnumerateObject())
                        AddDepsLibrary(lib, types, fallbacks, dir, depsRid is not null, search, assemblies);
            }
            else
                notes.Add($"no readable {Path.GetFileName(depsPath)}: every assembly of the directory is read, " +
                    "no native assets");
        }
        catch (InvalidOperationException e)
        {
            // A value of another JSON kind than deps.json has there: what was read so far stands.
            notes.Add($"{Path.GetFileName(depsPath)} is not laid out as the host expects ({e.Message}): " +
                "the .NET host would refuse to start this app");
        }
        return depsRid;
    }

    /// <summary>One library of the deps.json target: its managed assemblies and its native asset directories.</summary>
    private static void AddDepsLibrary(JsonProperty lib, Dictionary<string, string> types,
        IReadOnlyList<string> fallbacks, string dir, bool flat, List<NativeSearchDirectory> search,
        List<string> assemblies)
    {
        // The runtime pack of a self-contained app is the framework itself: its assemblies are not the app's.
        bool runtimePack = types.TryGetValue(lib.Name, out var type) && type == "runtimepack";
        if (!runtimePack && lib.Value.TryGetProperty("runtime", out var runtime))
            foreach (var a in runtime.EnumerateObject())
                AddAssembly(assemblies, dir, a.Name);
        if (lib.Value.TryGetProperty("native", out var native))
            foreach (var a in native.EnumerateObject())
                AddSearch(search, flat ? dir : Path.GetDirectoryName(Path.Combine(dir, a.Name))!,
                    $"deps.json native asset of {lib.Name}");
        if (!lib.Value.TryGetProperty("runtimeTargets", out var rts)) return;
        var byRid = rts.EnumerateObject()
            .Where(a => a.Value.TryGetProperty("assetType", out var at) && at.GetString() == "native"
                        && a.Value.TryGetProperty("rid", out _))
            .GroupBy(a => a.Value.GetProperty("rid").GetString() ?? "")
            .ToDictionary(g => g.Key, g => g.Select(a => a.Name).ToList());
        foreach (string r in fallbacks)
        {
            if (!byRid.TryGetValue(r, out var paths)) continue;
            foreach (var p in paths)
                AddSearch(search, Path.GetDirectoryName(Path.Combine(dir, p))!,
                    $"deps.json native asset of {lib.Name} for RID {r}");
            break; // only the best RID of each package
        }
    }

    /// <summary>The directory of each framework (Microsoft.NETCore.App when none is named), or a note.</summary>
    private static void AddFrameworkDirectories(List<(string Name, string Version)> frameworks, string? rootDir,
        List<NativeSearchDirectory> search, List<string> notes)
    {
        if (frameworks.Count == 0) frameworks.Add(("Microsoft.NETCore.App", ""));
        foreach (var (name, version) in frameworks)
        {
            if (rootDir is not null && FrameworkDirectory(rootDir, name, version) is { } fd)
                AddSearch(search, fd, $"framework {name}");
            else
                notes.Add($"framework {name} {version} is not installed here: " +
                    "its directory (the runtime's own libraries) is left out");
        }
    }

    /// <summary>
    /// The document, or null with a note: a damaged file is reported, never a crash (the host would refuse to start).
    /// </summary>
    private static JsonDocument? ReadJson(string path, List<string> notes)
    {
        try { return JsonDocument.Parse(File.ReadAllBytes(path), Options); }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            notes.Add($"{Path.GetFileName(path)} cannot be read ({e.Message}): " +
                "the .NET host would refuse to start this app");
            return null;
        }
    }

    private static readonly JsonDocumentOptions Options =
        new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static (string, string) Framework(JsonElement e) => e.ValueKind != JsonValueKind.Object ? ("", "") :
        (e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "",
         e.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "");

    // A build output keeps deps.json's relative path; a publish flattens package assemblies into the app directory.
    private static void AddAssembly(List<string> list, string dir, string relative)
    {
        string p = Path.Combine(dir, relative);
        if (!File.Exists(p)) p = Path.Combine(dir, Path.GetFileName(relative));
        if (File.Exists(p) && !list.Contains(p)) list.Add(p);
    }

    private static void AddSearch(List<NativeSearchDirectory> list, string dir, string rule)
    {
        string d = Path.TrimEndingDirectorySeparator(dir);
        if (!list.Any(s => s.Directory == d)) list.Add(new NativeSearchDirectory(d, rule));
    }

    private static string FindMainAssembly(string app)
    {
        string full = Path.GetFullPath(app);
        if (File.Exists(full)) return full;
        if (!Directory.Exists(full)) throw new FileNotFoundException($"{app}: no such app or directory");
        var candidates = Directory.EnumerateFiles(full, "*.runtimeconfig.json")
            .Select(c => Path.Combine(full, Path.GetFileName(c)[..^".runtimeconfig.json".Length] + ".dll"))
            .Where(File.Exists).Order(StringComparer.Ordinal).ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new FileNotFoundException(
                $"{app}: no .NET app here (no NAME.dll beside a NAME.runtimeconfig.json)"),
            _ => throw new FileNotFoundException(
                $"{app}: several apps here ({string.Join(", ", candidates.Select(Path.GetFileName))}); name the .dll"),
        };
    }

    /// <summary>
    /// DOTNET_ROOT, else the directory of the <c>dotnet</c> on PATH (through its symlink), else the usual places.
    /// </summary>
    private static string? DotnetRoot()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } r && Directory.Exists(r)) return r;
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var d in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var exe = new FileInfo(Path.Combine(d, "dotnet"));
            if (!exe.Exists) continue;
            string real = exe.LinkTarget is null ? exe.FullName : exe.ResolveLinkTarget(true)?.FullName ?? exe.FullName;
            return Path.GetDirectoryName(real);
        }
        return new[] { "/usr/share/dotnet", "/usr/lib/dotnet" }.FirstOrDefault(Directory.Exists);
    }

    /// <summary>
    /// The framework version the host would pick under the default roll-forward (Minor): the lowest installed
    /// major.minor at or above the requested one within its major, then its highest patch.
    /// </summary>
    internal static string? FrameworkDirectory(string dotnetRoot, string name, string version)
    {
        string dir = Path.Combine(dotnetRoot, "shared", name);
        if (!Directory.Exists(dir)) return null;
        Version.TryParse(version.Split('-')[0], out var wanted);
        var installed = Directory.EnumerateDirectories(dir)
            .Select(d => (Dir: d, V: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : null))
            .Where(x => x.V is not null && (wanted is null || (x.V.Major == wanted.Major && x.V >= wanted)))
            .ToList();
        if (installed.Count == 0) return null;
        var minor = installed.Min(x => (x.V!.Major, x.V.Minor));
        return installed.Where(x => (x.V!.Major, x.V.Minor) == minor).MaxBy(x => x.V)!.Dir;
    }
}
