using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Scripts;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// Linker scripts met as inputs: each read once (once per run without INCLUDE), checked for OUTPUT_FORMAT, its members
/// resolved (ld-rules §3).
/// </summary>
public sealed partial class LinkResolver
{
    private readonly Dictionary<string, (LinkerScript? Script, string? Error)> _scripts = new(StringComparer.Ordinal);

    /// <summary>Each script is read and parsed once per run (it may be met by a search and again as an
    /// input).</summary>
    private (LinkerScript? Script, string? Error) LoadScript(string path)
    {
        if (_scripts.TryGetValue(path, out var cached)) return cached;
        if (files.Script(path) is { } shared) return _scripts[path] = shared;
        (LinkerScript?, string?) result;
        bool included = false;
        try
        {
            result = (LinkerScriptParser.Parse(ReadBoundedText(path), inc =>
            {
                included = true;
                return LoadInclude(path, inc);
            }), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result = (null, $"{path}: {e.Message}");
        }
        _scripts[path] = result;
        // An INCLUDE is searched for on this link's -L list; without one, every link of the run reads it alike.
        if (!included) files.AddScript(path, result);
        return result;
    }

    /// <summary>
    /// A script found by a search whose OUTPUT_FORMAT (anywhere in it) is not the link's output format is skipped as
    /// incompatible, like an ELF file of another machine (checked with ld 2.40; a script named by path is used).
    /// </summary>
    private string? IncompatibleScriptFormat(string path)
    {
        var (script, _) = LoadScript(path);
        string? format = script?.OutputFormat;
        if (format is null || ctx.Linker.OutputFormat is not { } own) return null;
        return format == own ? null : format;
    }

    private static string ScriptErrorMessage(string path, ScriptDiagnostic err) => err.Kind switch
    {
        ScriptErrorKind.UnterminatedComment => $"{path}: EOF in comment",
        ScriptErrorKind.NotAScript => $"{path}: file not recognized: file format not recognized",
        ScriptErrorKind.SyntaxError => $"{(err.File ?? path)}:{(err.AtEndOfInput ? 0 : err.Line)}: {err.Message}",
        _ => $"{(err.File ?? path)}: {err.Message}",
    };

    /// <summary>A script ld cannot read, in lld's words where they are known (else no line is predicted).</summary>
    private static InputUnusable LldScriptUnusable(LinkInput input, string path, string spelling)
    {
        string text;
        try { text = ReadBoundedText(path); }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException) { text = ""; }
        return LldScriptError.FirstDirective(text) is { } e
            ? new InputUnusable(input, spelling, $"{spelling}:{e.Line}: {e.Message}")
            : new InputUnusable(input, spelling, $"{spelling}: lld cannot read this linker script") { Unworded = true };
    }

    private void ReadScript(LinkInput input, string path, string spelling, int depth)
    {
        if (depth >= MaxScriptDepth)
        {
            _problems.Add(new InputUnusable(input, path,
                $"{path}: linker scripts nest more than {MaxScriptDepth} deep (a loop?)"));
            return;
        }
        var (script, ioError) = LoadScript(path);
        if (script is null)
        {
            _problems.Add(new InputUnusable(input, path, ioError ?? path));
            return;
        }
        // lld reads no script once an error was reported, and stops a script at its first error (ScriptLexer::atEOF).
        if (Lld && LldErrors > 0)
        {
            _notes.Add($"{spelling}: lld does not read this script after an earlier error");
            return;
        }
        if (script.Error is { } err)
        {
            _problems.Add(Lld ? LldScriptUnusable(input, path, spelling)
                : new InputUnusable(input, spelling, ScriptErrorMessage(spelling, err)));
            return;
        }
        // A script's GROUP is a group of its own: its archives are rescanned together when it ends (libc.so's GROUP).
        int group = -(++_scriptGroups);
        foreach (var m in script.Inputs)
        {
            if (Stopped || (Lld && LldErrors > 0)) break;
            var member = new LinkInput(m.IsLibrary ? LinkInputKind.Library : LinkInputKind.File,
                m.IsLibrary && m.Name.StartsWith(':') ? m.Name[1..] : m.Name,
                m.IsLibrary && m.Name.StartsWith(':'),
                input.Static, input.AsNeeded || m.AsNeeded, input.CopyDtNeeded, input.ArgumentIndex)
            {
                Group = m.InGroup ? group : input.Group,
                WholeArchive = input.WholeArchive,
                ScriptLine = m.Line,
            };
            if (member.Kind == LinkInputKind.Library) ResolveLibrarySearch(member, depth + 1);
            else ResolveFileInput(member, path, depth + 1, spelling);
            if (!m.EndsGroup) continue;
            EndGroup(group);
            group = -(++_scriptGroups);
        }
        Symbols.EndGroup(group);
    }

    private string? LoadInclude(string scriptPath, string name)
    {
        var candidates = new List<string> { name.StartsWith('/') ? name
            : Path.Combine(Path.GetDirectoryName(scriptPath) ?? "", name) };
        if (!name.StartsWith('/'))
        {
            candidates.Add(ctx.Absolute(name));
            candidates.AddRange(Lists.LibrarySearchList().Select(d => Path.Combine(d.Path, name)));
        }
        foreach (var c in candidates)
        {
            try
            {
                if (File.Exists(c)) return ReadBoundedText(c);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Linker scripts are small; a huge "script" is not one, so read at most 1 MiB of it.</summary>
    private static string ReadBoundedText(string path)
    {
        using var src = new FileByteSource(path);
        var buf = new byte[(int)Math.Min(src.Length, 1 << 20)];
        int n = src.ReadAt(0, buf);
        return System.Text.Encoding.UTF8.GetString(buf, 0, n);
    }
}
