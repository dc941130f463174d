namespace NativeLinkGuard.Commands;

/// <summary>
/// Parses GNU ld's argv (as gcc's collect2 line or a direct ld call spells it) into a <see cref="LinkRequest"/>.
/// ld uses getopt_long_only, so most long options accept one or two dashes and <c>=value</c> or a separate value.
/// </summary>
public static class LdArgumentParser
{
    // Options whose value is the next argument when not attached; needed so the value is not taken for an input file.
    // Not --build-id: its value is optional and only ever attached (--build-id=sha1); gcc -static puts -m right after
    // it.
    private static readonly HashSet<string> s_takesValue = new(StringComparer.Ordinal)
    {
        "o", "output", "m", "T", "script", "L", "library-path", "l", "library", "e", "entry", "I", "dynamic-linker",
        "u", "undefined", "y", "trace-symbol", "h", "soname", "R", "just-symbols", "rpath", "rpath-link", "plugin",
        "plugin-opt", "z", "Map", "a", "A", "architecture", "b", "format", "c", "mri-script", "f", "auxiliary", "F",
        "filter", "G", "gpsize", "O", "Y", "P", "depaudit", "version-script", "dynamic-list", "wrap", "defsym",
        "section-start", "Ttext", "Tdata", "Tbss", "Ttext-segment", "Trodata-segment", "Tldata-segment", "exclude-libs",
        "retain-symbols-file", "oformat", "sysroot", "hash-style", "dT", "default-script", "init", "fini",
        "require-defined", "audit", "plugin-save-temps", "print-memory-usage", "task-link", "image-base",
        "package-metadata",
    };

    private readonly record struct State(
        bool Static, bool AsNeeded, bool CopyDtNeeded, int Group = 0, bool WholeArchive = false);

    public static LinkRequest Parse(IReadOnlyList<string> argv, int firstArgument = 1)
    {
        var req = new LinkRequest();
        var state = new State(false, false, false);
        var stack = new Stack<State>();
        var seenL = new HashSet<string>(StringComparer.Ordinal);
        int groups = 0;

        for (int i = firstArgument; i < argv.Count; i++)
        {
            string a = argv[i];
            if (a.Length < 2 || a[0] != '-')
            {
                req.Inputs.Add(new LinkInput(
                    LinkInputKind.File, a, false, state.Static, state.AsNeeded, state.CopyDtNeeded, i)
                {
                    Group = state.Group,
                    WholeArchive = state.WholeArchive,
                });
                continue;
            }

            // Short options with attached values first: -lfoo, -Ldir, -ofile, -Tscript, -melf_x86_64.
            if (a.StartsWith("-l", StringComparison.Ordinal) && a.Length > 2
                && !a.StartsWith("--", StringComparison.Ordinal))
            {
                AddLibrary(req, a[2..], state, i);
                continue;
            }
            if (a.StartsWith("-L", StringComparison.Ordinal) && a.Length > 2)
            {
                AddLibraryPath(req, seenL, a[2..]);
                continue;
            }

            string body = a.StartsWith("--", StringComparison.Ordinal) ? a[2..] : a[1..];
            string name = body;
            string? value = null;
            int eq = body.IndexOf('=');
            if (eq > 0) { name = body[..eq]; value = body[(eq + 1)..]; }

            // getopt_long_only: an unknown long name like -ofile or -melf_x86_64 is a short option with an attached
            // value.
            if (!a.StartsWith("--", StringComparison.Ordinal) && body.Length > 1 && eq < 0 && !IsLongName(name)
                && ShortWithValue.Contains(body[0]))
            {
                name = body[..1];
                value = body[1..];
            }

            string? Value()
            {
                if (value is not null) return value;
                if (i + 1 < argv.Count) return argv[++i];
                req.UnknownOptions.Add(a + " (missing value)");
                return null;
            }

            switch (name)
            {
                case "l" or "library":
                    if (Value() is { } lib) AddLibrary(req, lib, state, i);
                    break;
                case "L" or "library-path":
                    if (Value() is { } dir) AddLibraryPath(req, seenL, dir);
                    break;
                case "o" or "output":
                    req.Output = Value();
                    break;
                case "rpath-link":
                    if (Value() is { } rl) req.RpathLink.Add(rl);
                    break;
                case "rpath":
                    if (Value() is { } rp) req.Rpath.Add(rp);
                    break;
                case "R" or "just-symbols":
                    // ld: -R DIR is -rpath when DIR is a directory, else --just-symbols=FILE.
                    if (Value() is { } r)
                    {
                        if (name == "R" && Directory.Exists(r)) req.Rpath.Add(r);
                        else req.SymbolOptionsNotModelled.Add("--just-symbols=" + r);
                    }
                    break;
                case "sysroot":
                    req.Sysroot = Value();
                    break;
                case "m":
                    req.Emulation = Value();
                    break;
                case "T" or "script" or "dT" or "default-script":
                    if (Value() is { } t) req.Scripts.Add(t);
                    break;
                case "soname" or "h":
                    req.Soname = Value();
                    break;
                case "shared" or "Bshareable":
                    req.Shared = true;
                    break;
                case "static" or "Bstatic" or "dn" or "non_shared":
                    // ld treats -static exactly like -Bstatic; gcc -static additionally omits dynamic libs.
                    state = state with { Static = true };
                    if (name == "static") req.StaticLink = true;
                    break;
                case "Bdynamic" or "dy" or "call_shared":
                    state = state with { Static = false };
                    break;
                case "as-needed":
                    state = state with { AsNeeded = true };
                    break;
                case "no-as-needed":
                    state = state with { AsNeeded = false };
                    break;
                case "copy-dt-needed-entries" or "add-needed":
                    state = state with { CopyDtNeeded = true };
                    break;
                case "no-copy-dt-needed-entries" or "no-add-needed":
                    state = state with { CopyDtNeeded = false };
                    break;
                case "push-state":
                    stack.Push(state);
                    break;
                case "pop-state":
                    if (stack.Count > 0) state = stack.Pop();
                    else req.UnknownOptions.Add(a + " (without --push-state)");
                    break;
                case "allow-shlib-undefined":
                    req.AllowShlibUndefined = true;
                    break;
                case "no-allow-shlib-undefined":
                    req.AllowShlibUndefined = false;
                    break;
                case "unresolved-symbols":
                    if (Value() is { } u)
                    {
                        req.UnresolvedSymbols = u;
                        req.IgnoreUnresolvedInSharedLibs = u is "ignore-all" or "ignore-in-shared-libs";
                    }
                    break;
                case "enable-new-dtags":
                    req.NewDtags = true;
                    break;
                case "disable-new-dtags":
                    req.NewDtags = false;
                    break;
                case "start-group" or "(":
                    state = state with { Group = ++groups };
                    break;
                case "end-group" or ")":
                    state = state with { Group = 0 };
                    break;
                case "whole-archive":
                    state = state with { WholeArchive = true };
                    break;
                case "no-whole-archive":
                    state = state with { WholeArchive = false };
                    break;
                case "z":
                    if (Value() is { } z)
                    {
                        if (z == "defs") req.NoUndefined = true;
                        else if (z == "undefs") req.NoUndefined = false;
                    }
                    break;
                case "gc-sections":
                    req.GcSections = true;
                    break;
                case "no-gc-sections":
                    req.GcSections = false;
                    break;
                case "no-undefined":
                    req.NoUndefined = true;
                    break;
                case "warn-unresolved-symbols":
                    req.WarnUnresolvedSymbols = true;
                    break;
                case "error-unresolved-symbols":
                    req.WarnUnresolvedSymbols = false;
                    break;
                case "u" or "undefined" or "require-defined":
                    if (Value() is { } us) req.ForcedUndefined.Add(us);
                    break;
                case "defsym":
                    if (Value() is { } ds && ds.IndexOf('=') is > 0 and var eqi)
                        req.DefinedByOption.Add(ds[..eqi].Trim());
                    break;
                case "r" or "relocatable":
                    req.Relocatable = true;
                    break;
                case "wrap":
                    if (Value() is { } w) req.SymbolOptionsNotModelled.Add("--wrap=" + w);
                    break;
                default:
                    if (s_takesValue.Contains(name)) Value();
                    else if (!IsKnownFlag(name)) req.UnknownOptions.Add(a);
                    break;
            }
        }
        return req;
    }

    private const string ShortWithValue = "oTmehzuyRIYaAbcfFGOP";

    private static readonly HashSet<string> s_switchNames = new(StringComparer.Ordinal)
    {
        "shared", "Bshareable", "static", "Bstatic", "dn", "non_shared", "Bdynamic", "dy", "call_shared", "as-needed",
        "no-as-needed", "copy-dt-needed-entries", "add-needed", "no-copy-dt-needed-entries", "no-add-needed",
        "push-state", "pop-state", "allow-shlib-undefined", "no-allow-shlib-undefined", "unresolved-symbols",
        "enable-new-dtags", "disable-new-dtags", "start-group", "end-group", "whole-archive", "no-whole-archive",
    };

    private static bool IsLongName(string name) =>
        s_takesValue.Contains(name) || s_switchNames.Contains(name) || IsKnownFlag(name);

    private static bool IsKnownFlag(string name) => name
        is "pie" or "no-pie" or "Bsymbolic" or "Bsymbolic-functions" or "E" or "export-dynamic" or "eh-frame-hdr"
        or "gc-sections" or "no-gc-sections" or "s" or "strip-all" or "S" or "strip-debug" or "r" or "relocatable"
        or "verbose" or "t" or "trace" or "v" or "version" or "no-undefined" or "fatal-warnings" or "no-fatal-warnings"
        or "warn-common" or "warn-once" or "no-warn-mismatch" or "error-unresolved-symbols" or "warn-unresolved-symbols"
        or "demangle" or "no-demangle" or "nostdlib" or "x" or "discard-all" or "X" or "discard-locals" or "g" or "q"
        or "emit-relocs" or "N" or "n" or "no-relax" or "relax" or "icf" or "fix-cortex-a53-843419" or "no-keep-memory"
        or "sort-common" or "stats" or "no-export-dynamic" or "rdynamic" or "build-id" or "no-dynamic-linker"
        or "dynamic-list-data" or "print-gc-sections" or "color-diagnostics" or "fuse-ld" or "threads" or "O1" or "O2"
        or "O3" or "O0" or "EB" or "EL" or "qmagic" or "Qy" or "M" or "print-map";

    private static void AddLibrary(LinkRequest req, string spec, State state, int index)
    {
        bool verbatim = spec.StartsWith(':');
        string name = verbatim ? spec[1..] : spec;
        req.Inputs.Add(new LinkInput(
            LinkInputKind.Library, name, verbatim, state.Static, state.AsNeeded, state.CopyDtNeeded, index)
        {
            Group = state.Group,
            WholeArchive = state.WholeArchive,
        });
    }

    private static void AddLibraryPath(LinkRequest req, HashSet<string> seen, string dir)
    {
        // ld reads every -L before opening any input, and a repeated -L keeps its first position
        // (ldfile_add_library_path).
        if (seen.Add(dir)) req.LibraryPaths.Add(dir);
    }
}
