using System.Text.Json;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.CMake;

/// <summary>
/// Reads CMake's machine interface (File API: codemodel-v2 and toolchains-v1 replies under
/// <c>BUILD/.cmake/api/v1/reply</c>). Never throws: a missing, partial or malformed reply is a message.
/// </summary>
public static class CMakeFileApi
{
    public static string QueryDirectory(string buildDir) => Path.Combine(buildDir, ".cmake", "api", "v1", "query");

    /// <summary>
    /// Writes the query files (CMake's documented way to ask for replies); true when they were missing.
    /// </summary>
    public static bool EnsureQuery(string buildDir)
    {
        string q = QueryDirectory(buildDir);
        bool wrote = false;
        foreach (var kind in new[] { "codemodel-v2", "toolchains-v1" })
        {
            string f = Path.Combine(q, kind);
            if (File.Exists(f)) continue;
            Directory.CreateDirectory(q);
            File.WriteAllText(f, "");
            wrote = true;
        }
        return wrote;
    }

    public static CMakeBuild? TryRead(string buildDir, out string? error)
    {
        error = null;
        string replyDir = Path.Combine(buildDir, ".cmake", "api", "v1", "reply");
        try
        {
            if (!Directory.Exists(replyDir)) { error = "no CMake File API reply"; return null; }
            var index = Directory.GetFiles(replyDir, "index-*.json").Order(StringComparer.Ordinal).LastOrDefault();
            if (index is null) { error = "no CMake File API reply index"; return null; }
            using var idx = JsonDocument.Parse(BoundedText.Read(index, 256 << 20));
            var reply = idx.RootElement.GetProperty("reply");
            string? generator = idx.RootElement.TryGetProperty("cmake", out var cm)
                && cm.TryGetProperty("generator", out var g) && g.TryGetProperty("name", out var gn)
                    ? gn.GetString()
                    : null;
            if (!reply.TryGetProperty("codemodel-v2", out var cmRef)
                || !cmRef.TryGetProperty("jsonFile", out var cmFile))
            {
                error = "the reply has no codemodel-v2 (re-run the configure step after the query was written)";
                return null;
            }
            var compilers = new Dictionary<string, string>(StringComparer.Ordinal);
            if (reply.TryGetProperty("toolchains-v1", out var tcRef)
                && tcRef.TryGetProperty("jsonFile", out var tcFile))
            {
                using var tc = ReadReply(replyDir, tcFile);
                foreach (var t in tc.RootElement.GetProperty("toolchains").EnumerateArray())
                    if (t.TryGetProperty("compiler", out var c) && c.TryGetProperty("path", out var path))
                        compilers[t.GetProperty("language").GetString()!] = path.GetString()!;
            }
            using var codemodel = ReadReply(replyDir, cmFile);
            string top = codemodel.RootElement.GetProperty("paths").GetProperty("build").GetString() ?? buildDir;
            string sourceTop = codemodel.RootElement.GetProperty("paths").TryGetProperty("source", out var st)
                ? st.GetString() ?? top
                : top;
            var config = codemodel.RootElement.GetProperty("configurations")[0];
            var targets = new List<CMakeTarget>();
            foreach (var t in config.GetProperty("targets").EnumerateArray())
            {
                using var td = ReadReply(replyDir, t.GetProperty("jsonFile"));
                targets.Add(ReadTarget(td.RootElement, top, sourceTop));
            }
            return new CMakeBuild(top, generator, CMakeBuild.BuildOrder(targets), compilers);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException
            or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            error = $"the CMake File API reply in {replyDir} cannot be read ({e.Message}); re-run the configure step";
            return null;
        }
    }

    /// <summary>One reply file the index names (bounded: a reply is never allowed to be huge).</summary>
    private static JsonDocument ReadReply(string replyDir, JsonElement jsonFile) =>
        JsonDocument.Parse(BoundedText.Read(Path.Combine(replyDir, jsonFile.GetString()!), 256 << 20));

    private static CMakeTarget ReadTarget(JsonElement t, string top, string sourceTop)
    {
        string buildRel = t.GetProperty("paths").GetProperty("build").GetString() ?? ".";
        var artifacts = t.TryGetProperty("artifacts", out var a)
            ? a.EnumerateArray()
                .Select(x => Path.GetFullPath(Path.Combine(top, x.GetProperty("path").GetString()!))).ToList()
            : [];
        var fragments = new List<LinkFragment>();
        string? language = null;
        if (t.TryGetProperty("link", out var link))
        {
            language = link.TryGetProperty("language", out var l) ? l.GetString() : null;
            if (link.TryGetProperty("commandFragments", out var frags))
            {
                foreach (var f in frags.EnumerateArray())
                {
                    fragments.Add(new LinkFragment(
                        f.GetProperty("fragment").GetString() ?? "", f.GetProperty("role").GetString() ?? ""));
                }
            }
        }
        var deps = t.TryGetProperty("dependencies", out var d) && d.ValueKind == JsonValueKind.Array
            ? d.EnumerateArray().Select(x => x.GetProperty("id").GetString()!).ToList()
            : [];
        return new CMakeTarget(
            t.GetProperty("id").GetString()!, t.GetProperty("name").GetString()!, t.GetProperty("type").GetString()!,
            t.TryGetProperty("nameOnDisk", out var n) ? n.GetString() ?? "" : "", artifacts,
            Path.GetFullPath(Path.Combine(top, buildRel)), language, fragments, deps)
        {
            DefinedAt = Backtrace(t, sourceTop),
        };
    }

    /// <summary>
    /// The innermost frame of the target's backtrace: the add_library/add_executable call, as CMake reports it.
    /// </summary>
    private static SourceLocation? Backtrace(JsonElement t, string sourceTop)
    {
        try { return BacktraceOrThrow(t, sourceTop); }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException
            or FormatException or ArgumentException)
        {
            return null; // a malformed backtrace loses the location, not the check
        }
    }

    private static SourceLocation? BacktraceOrThrow(JsonElement t, string sourceTop)
    {
        if (!t.TryGetProperty("backtrace", out var bt) || bt.ValueKind != JsonValueKind.Number ||
            !t.TryGetProperty("backtraceGraph", out var graph)) return null;
        var nodes = graph.GetProperty("nodes");
        int index = bt.GetInt32();
        if (index < 0 || index >= nodes.GetArrayLength()) return null;
        var node = nodes[index];
        var files = graph.GetProperty("files");
        int file = node.GetProperty("file").GetInt32();
        if (file < 0 || file >= files.GetArrayLength()) return null;
        int line = node.TryGetProperty("line", out var l) ? l.GetInt32() : 0;
        return new SourceLocation(Path.GetFullPath(Path.Combine(sourceTop, files[file].GetString() ?? "")), line);
    }
}
