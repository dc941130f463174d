using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// The run-path rules of ld and ld.so, as pure functions: which list of an object applies (DT_RPATH is ignored next
/// to DT_RUNPATH), how a list splits into elements, how <c>$ORIGIN</c>/<c>$LIB</c>/<c>$PLATFORM</c> expand, and the
/// sysroot prefix ld gives absolute elements. Every resolver and fix advisor asks here.
/// </summary>
public static class RunPaths
{
    /// <summary>The list an object is searched with: DT_RUNPATH, else DT_RPATH (ld and ld.so ignore DT_RPATH next to
    /// DT_RUNPATH: glibc's decompose_rpath is never called for it, binutils' bfd_elf_get_runpath_list prefers it).
    /// </summary>
    public static string? Effective(ElfFile elf) => elf.Runpath ?? elf.Rpath;

    /// <summary><see cref="Effective"/> with the rule that names it (<see cref="SearchRule.Runpath"/> or
    /// <see cref="SearchRule.DtRpath"/>).</summary>
    public static (string List, SearchRule Rule)? EffectiveList(ElfFile elf) =>
        elf.Runpath is { } runpath ? (runpath, SearchRule.Runpath)
        : elf.Rpath is { } rpath ? (rpath, SearchRule.DtRpath) : null;

    /// <summary>The tag of <see cref="Effective"/>, as messages name it.</summary>
    public static string? EffectiveTag(ElfFile elf) =>
        EffectiveList(elf)?.Rule is { } rule ? (rule == SearchRule.Runpath ? "DT_RUNPATH" : "DT_RPATH") : null;

    /// <summary>The DT_RPATH ld.so passes down to the objects this one loads: none when DT_RUNPATH is
    /// present.</summary>
    public static string? InheritedRpath(ElfFile elf) => elf.Runpath is null ? elf.Rpath : null;

    /// <summary>Does ld.so try the inherited DT_RPATH lists (the needing object's and its loaders') for a DT_NEEDED of
    /// NEEDING? Only when NEEDING has no DT_RUNPATH (glibc's _dl_map_object).</summary>
    public static bool SearchesInheritedRpaths(ElfFile needing) => needing.Runpath is null;

    /// <summary>A DT_RPATH that neither tool reads because the object also has DT_RUNPATH (worth telling the
    /// user).</summary>
    public static string? IgnoredRpath(ElfFile elf) => elf.Runpath is null ? null : elf.Rpath;

    /// <summary>The elements of a DT_RUNPATH/DT_RPATH/-rpath list; an empty element (the working directory) is kept.
    /// </summary>
    public static string[] Split(string list) => list.Split(':');

    /// <summary>LD_LIBRARY_PATH as ld.so splits it: ':' and ';' both separate (glibc's fillin_rpath with
    /// ":;").</summary>
    public static string[] SplitLdLibraryPath(string list) => list.Split(':', ';');

    /// <summary>
    /// ld.so's token expansion (glibc's _dl_dst_substitute/is_dst): <c>$NAME</c> or <c>${NAME}</c> where a bare NAME
    /// must not be followed by a letter, digit or '_' ($ORIGINAL is not $ORIGIN); other $-words stay as they are. A
    /// null value leaves its token unexpanded.
    /// </summary>
    public static string ExpandForLoader(string s, string origin, string? lib, string? platform)
    {
        int dollar = s.IndexOf('$');
        if (dollar < 0) return s;
        // A failed root's report spells thousands of paths: the handler's pooled buffer, one string per expansion.
        var result = new System.Runtime.CompilerServices.DefaultInterpolatedStringHandler(0, 0);
        int copied = 0;
        for (; dollar >= 0; dollar = s.IndexOf('$', dollar + 1))
        {
            if (LoaderToken(s, dollar + 1, out int length) is not { } token) continue;
            string? value = token switch { "ORIGIN" => origin, "LIB" => lib, _ => platform };
            if (value is null) continue;
            result.AppendFormatted(s.AsSpan(copied, dollar - copied));
            result.AppendFormatted(value);
            copied = dollar + 1 + length;
            dollar += length;
        }
        result.AppendFormatted(s.AsSpan(copied));
        return result.ToStringAndClear();
    }

    /// <summary>Does S use the loader token NAME (ORIGIN, LIB or PLATFORM), bare or braced?</summary>
    public static bool UsesLoaderToken(string s, string name)
    {
        for (int i = s.IndexOf('$'); i >= 0; i = s.IndexOf('$', i + 1))
            if (LoaderToken(s, i + 1, out _) == name) return true;
        return false;
    }

    private static readonly string[] LoaderTokens = ["ORIGIN", "PLATFORM", "LIB"];

    private static string? LoaderToken(string s, int at, out int length)
    {
        foreach (var name in LoaderTokens)
        {
            // ${NAME}: compared in place (no "{NAME}" string made per check).
            if (at + name.Length + 1 < s.Length && s[at] == '{' && s[at + name.Length + 1] == '}'
                && string.CompareOrdinal(s, at + 1, name, 0, name.Length) == 0)
            {
                length = name.Length + 2;
                return name;
            }
            int end = at + name.Length;
            if (string.CompareOrdinal(s, at, name, 0, name.Length) == 0
                && (end == s.Length || !(char.IsAsciiLetterOrDigit(s[end]) || s[end] == '_')))
            {
                length = name.Length;
                return name;
            }
        }
        length = 0;
        return null;
    }

    /// <summary>
    /// One element of a DT_NEEDED search list as GNU ld reads it (ldelf_search_needed): an absolute element of a
    /// sysrooted list gets the sysroot first (ldelf_add_sysroot), then tokens expand. ld's token is the whole rest of
    /// a path component: <c>$ORIGIN</c>, <c>${ORIGIN}</c> (also the unbalanced <c>$ORIGIN}</c>, <c>${ORIGIN</c>) is
    /// the needing library's directory, <c>$LIB</c> is lib64 or lib by ELF class; <c>$PLATFORM</c>, <c>$ORIGINAL</c>
    /// or <c>$ORIGIN.d</c> stay as written (ld-rules §4.8).
    /// </summary>
    public static string ForLinker(string element, string origin, ElfClass elfClass, string? sysroot = null)
    {
        if (sysroot is not null) element = SysrootPaths.RuntimeElement(element, sysroot);
        if (!element.Contains('$')) return element;
        var parts = element.Split('/');
        for (int i = 0; i < parts.Length; i++)
        {
            // ld tries each '$' of a component in turn; only one whose rest of the component is a token expands.
            for (int dollar = parts[i].IndexOf('$'); dollar >= 0; dollar = parts[i].IndexOf('$', dollar + 1))
            {
                if (LinkerToken(parts[i][(dollar + 1)..], origin, elfClass) is not { } value) continue;
                parts[i] = parts[i][..dollar] + value;
                break;
            }
        }
        return string.Join('/', parts);
    }

    private static string? LinkerToken(string token, string origin, ElfClass elfClass)
    {
        if (token.StartsWith('{')) token = token[1..];
        return token switch
        {
            "ORIGIN" or "ORIGIN}" => origin,
            "LIB" or "LIB}" => elfClass == ElfClass.Elf64 ? "lib64" : "lib",
            _ => null,
        };
    }
}
