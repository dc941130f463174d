using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Resolution;

/// <summary>Direct inputs (-l, -l:, paths, script members): ld-rules §1 and §3.</summary>
public sealed partial class LinkResolver
{
    private void ResolveInput(LinkInput input, string? scriptPath, int depth)
    {
        if (input.Kind == LinkInputKind.Library)
            ResolveLibrarySearch(input, depth);
        else
            ResolveFileInput(input, scriptPath, depth);
    }

    private void ResolveLibrarySearch(LinkInput input, int depth)
    {
        var attempts = new List<SearchAttempt>();
        string[] names = input.Verbatim ? [input.Name]
            : input.Static ? ["lib" + input.Name + ".a"]
            : ["lib" + input.Name + ".so", "lib" + input.Name + ".a"];
        foreach (var dir in Lists.LibrarySearchList())
        {
            foreach (var name in names)
            {
                string path = Path.Combine(dir.Path, name);
                var f = files.Get(path);
                if (!f.Exists || f.Kind == LibraryFileKind.Unreadable)
                {
                    attempts.Add(dir.Attempt(path, f.Kind == LibraryFileKind.Unreadable
                        ? AttemptOutcome.Unreadable : AttemptOutcome.Absent, f.Error));
                    continue;
                }
                string? incompatible = StaticDynamic(input, f) ? null
                    : f.Elf is { } header && !IsTargetCompatible(header) ? header.TargetName
                    // lld reads a script whatever its OUTPUT_FORMAT says (checked with lld 14).
                    : f.Kind == LibraryFileKind.Text && !Lld ? IncompatibleScriptFormat(path) is { } fmt
                        ? $"a linker script for {fmt}" : null
                    : null;
                if (incompatible is not null && Lld)
                {
                    // lld takes the first candidate and then rejects it (ld-rules §9.3).
                    attempts.Add(dir.Attempt(path, AttemptOutcome.Incompatible, incompatible));
                    string spelled = Path.Combine(dir.Spelling, name);
                    string why = $"{spelled} is incompatible with {ctx.Linker.TargetName}";
                    _problems.Add(new InputUnusable(input, spelled, why) { Lld = true, WrongTarget = true });
                    return;
                }
                if (incompatible is not null)
                {
                    attempts.Add(dir.Attempt(path, AttemptOutcome.Incompatible, incompatible));
                    _problems.Add(new IncompatibleSkipped(input, Path.Combine(dir.Spelling, name), incompatible,
                        ctx.Linker.TargetName));
                    continue;
                }
                attempts.Add(dir.Attempt(path, AttemptOutcome.Accepted));
                Accept(input, path, f, depth, spelling: Path.Combine(dir.Spelling, name));
                return;
            }
        }
        _problems.Add(new InputNotFound(input, attempts));
    }

    private void ResolveFileInput(LinkInput input, string? scriptPath, int depth, string? scriptSpelling = null)
    {
        string name = input.Name;
        if (scriptPath is null)
        {
            string path = ctx.Absolute(name);
            var f = files.Get(path);
            if (!f.Exists)
            {
                if (IsObjectName(name))
                {
                    _notes.Add($"{name}: object file not built yet; assumed to exist when the link runs");
                    Symbols.MakeUnknowable($"{name} is not built yet");
                    return;
                }
                _problems.Add(new InputNotFound(input,
                    [new SearchAttempt(Path.GetDirectoryName(path) ?? "", SearchRule.WorkingDirectory, path,
                    AttemptOutcome.Absent, f.Error)]));
                return;
            }
            if (f.Elf is { } e && !IsTargetCompatible(e) && !StaticDynamic(input, f))
            {
                // Named by path, never skipped: "error adding symbols: file in wrong format" (ld-rules §1.9); lld
                // names the target it links for.
                string wrong = Lld ? $"{name} is incompatible with {ctx.Linker.TargetName}"
                    : $"{name}: error adding symbols: file in wrong format";
                _problems.Add(new InputUnusable(input, name, wrong)
                {
                    Detail = $"{name} is {e.TargetName}; the link is {ctx.Linker.TargetName}",
                    WrongTarget = true,
                });
                return;
            }
            Accept(input, path, f, depth, spelling: name);
            return;
        }
        ResolveScriptMember(input, scriptPath, depth, scriptSpelling ?? scriptPath);
    }

    private void ResolveScriptMember(LinkInput input, string scriptPath, int depth, string scriptSpelling) =>
        TryScriptMember(input, scriptPath, scriptSpelling, depth,
            ScriptMemberCandidates(input.Name, scriptPath, scriptSpelling), []);

    /// <summary>
    /// Where ld looks for a script member (ld-rules §3): =/ and $SYSROOT always prefixed; absolute ones prefixed only
    /// when the script is under the sysroot (SysrootPaths.ScriptIsUnderSysroot); relative ones: script dir, cwd, then
    /// every search dir. Spelled as ld tries it: the script's dir as ld opened the script, the name itself, "-L dir/" +
    /// name. Made as they are tried: the first one usually exists, and every fix verified resolves the link again.
    /// </summary>
    private IEnumerable<(string Path, SearchDirectory Dir, string Spelled)> ScriptMemberCandidates(string name,
        string scriptPath, string scriptSpelling)
    {
        string scriptDir = Path.GetDirectoryName(scriptPath) ?? "/";
        var absolute = new SearchDirectory("", SearchRule.AbsoluteName) { InSysroot = S.Length > 0 };
        if (name.StartsWith('=') && Lld)
        {
            // lld 14 opens SYSROOT + "/" + the rest as spelled ("S//usr/lib/x"); $SYSROOT is no prefix to it.
            string p = S.Length > 0 ? S + "/" + name[1..] : name[1..];
            yield return (p, absolute, p);
        }
        else if (name.StartsWith('='))
            yield return (S + name[1..], absolute, S + name[1..]);
        else if (name.StartsWith("$SYSROOT", StringComparison.Ordinal) && !Lld)
            yield return (S + name["$SYSROOT".Length..], absolute, S + name["$SYSROOT".Length..]);
        else if (name.StartsWith('/'))
        {
            bool sysrooted = SysrootPaths.ScriptIsUnderSysroot(scriptPath, scriptSpelling, S, ctx.WorkingDirectory,
                Lld);
            string p = sysrooted ? S + name : name;
            yield return (p, absolute with { InSysroot = sysrooted }, p);
        }
        else
        {
            string spelledDir = Path.GetDirectoryName(scriptSpelling) is { Length: > 0 } sd ? sd : ".";
            yield return (Path.Combine(scriptDir, name), new(scriptDir, SearchRule.ScriptDirectory),
                $"{spelledDir}/{name}");
            yield return (ctx.Absolute(name), new(ctx.WorkingDirectory, SearchRule.WorkingDirectory), name);
            foreach (var d in Lists.LibrarySearchList())
                yield return (Path.Combine(d.Path, name), d, Path.Combine(d.Spelling, name));
        }
    }

    /// <summary>The first candidate the linker takes; else "cannot find" with its last attempt's error.</summary>
    private void TryScriptMember(LinkInput input, string scriptPath, string spelledScript, int depth,
        IEnumerable<(string Path, SearchDirectory Dir, string Spelled)> candidates, List<SearchAttempt> attempts)
    {
        string lastError = "No such file or directory";
        foreach (var (path, dir, spelled) in candidates)
        {
            var f = files.Get(path);
            if (!f.Exists || f.Kind == LibraryFileKind.Unreadable)
            {
                attempts.Add(dir.Attempt(path, AttemptOutcome.Absent, f.Error));
                lastError = "No such file or directory";
                continue;
            }
            if (f.Elf is { } e && !IsTargetCompatible(e) && !StaticDynamic(input, f))
            {
                attempts.Add(dir.Attempt(path, AttemptOutcome.Incompatible, e.TargetName));
                lastError = "file in wrong format";
                if (!Lld) continue;
                // lld takes the first member file that exists and finds it wrong when it parses it (case 70119:5).
                string why = $"{spelled} is incompatible with {ctx.Linker.TargetName}";
                _problems.Add(new InputUnusable(input, spelled, why) { Lld = true, WrongTarget = true });
                return;
            }
            // A member is searched for, so a script for another OUTPUT_FORMAT is skipped (ld 2.40; lld reads it).
            if (f.Kind == LibraryFileKind.Text && !Lld && IncompatibleScriptFormat(path) is { } format)
            {
                attempts.Add(dir.Attempt(path, AttemptOutcome.Incompatible, $"a linker script for {format}"));
                lastError = "file format not recognized";
                continue;
            }
            attempts.Add(dir.Attempt(path, AttemptOutcome.Accepted));
            Accept(input, path, f, depth, spelling: spelled);
            return;
        }
        // ld prints the error of its last attempt.
        _problems.Add(new InputNotFound(input, attempts, scriptPath)
        {
            Error = lastError,
            ScriptSpelling = spelledScript,
        });
    }

    private void Accept(LinkInput input, string path, LibraryFile f, int depth, string spelling)
    {
        switch (f.Kind)
        {
            case LibraryFileKind.Elf when f.Elf!.IsSharedObject:
                // -lNAME under -Bstatic only ever tries libNAME.a; a path or -l:NAME takes the file it names, and ld
                // stops there. After -static then -Bdynamic a dynamic object is found too: GNU ld says the same and
                // goes on, lld (whose -static is -Bstatic) uses it (checked with ld 2.40, lld 14).
                string staticLink = Lld ? $"attempted static link of dynamic object {spelling}"
                    : $"attempted static link of dynamic object `{spelling}'";
                if (input.Static && (input.Kind == LinkInputKind.File || input.Verbatim))
                    _problems.Add(new InputUnusable(input, spelling, staticLink));
                if (input.Static) return;
                // ld still counts its definitions when it resolves symbols (found by random case 60244:5).
                if (ctx.Request.StaticLink && !Lld)
                    _problems.Add(new InputUnusable(input, spelling, staticLink) { Fatal = false });
                var lib = new ResolvedLibrary
                {
                    Path = path,
                    Spelling = spelling,
                    Elf = f.Elf,
                    Input = input,
                    CopyDtNeeded = input.CopyDtNeeded,
                    AsNeeded = input.AsNeeded,
                };
                bool kept = Symbols.Shared(lib, input.AsNeeded, out bool assumed);
                lib.DroppedByAsNeeded = !kept;
                if (!kept)
                    _notes.Add($"{spelling}: dropped by --as-needed (nothing before it references its symbols), so " +
                        $"ld does not search its DT_NEEDED");
                else if (assumed)
                    _notes.Add($"{spelling}: assumed kept by --as-needed ({Symbols.Unknowable})");
                AddLibrary(lib);
                return;
            case LibraryFileKind.Elf when f.Elf!.Type == ElfType.Relocatable:
                Symbols.Object(path, spelling);
                return;
            case LibraryFileKind.Elf:
                return;
            case LibraryFileKind.Archive:
                Symbols.Archive(path, spelling, input);
                return;
            case LibraryFileKind.Text:
                ReadScript(input, path, spelling, depth);
                return;
            case LibraryFileKind.Malformed:
                _problems.Add(new InputUnusable(input, spelling,
                    $"{spelling}: file format not recognized ({f.Error})"));
                return;
            default:
                _problems.Add(new InputUnusable(input, spelling,
                    $"{spelling}: {f.Error ?? "file format not recognized"}"));
                return;
        }
    }

    private static bool IsObjectName(string name) =>
        name.EndsWith(".o", StringComparison.Ordinal) || name.EndsWith(".obj", StringComparison.Ordinal)
            || name.EndsWith(".lo", StringComparison.Ordinal);
}
