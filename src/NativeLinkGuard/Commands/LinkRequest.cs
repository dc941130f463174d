namespace NativeLinkGuard.Commands;

public enum LinkInputKind
{
    /// <summary><c>-lNAME</c> (or <c>-l:FILE</c> when <see cref="LinkInput.Verbatim"/>).</summary>
    Library,
    /// <summary>A file named on the command line (object, archive, shared library or linker script).</summary>
    File,
}

/// <summary>One input in command-line order, with the positional state ld had when it met it.</summary>
public sealed record LinkInput(
    LinkInputKind Kind,
    string Name,
    bool Verbatim,
    bool Static,
    bool AsNeeded,
    bool CopyDtNeeded,
    int ArgumentIndex)
{
    /// <summary>How ld spells the input in its messages: <c>-lfoo</c>, <c>-l:libfoo.so.1</c>, or the path.</summary>
    public string Display => Kind == LinkInputKind.Library ? (Verbatim ? "-l:" + Name : "-l" + Name) : Name;

    /// <summary>
    /// Non-zero inside --start-group/--end-group (or a script's GROUP): archives of one group are rescanned together.
    /// </summary>
    public int Group { get; init; }

    /// <summary>--whole-archive in effect: every member of an archive is extracted.</summary>
    public bool WholeArchive { get; init; }

    /// <summary>A linker script's member: the 1-based line that names it (lld puts <c>SCRIPT:LINE: </c> before its
    /// errors about a member); 0 on the command line.</summary>
    public int ScriptLine { get; init; }
}

/// <summary>The GNU ld view of a link: what ld's argv says, after the driver expanded it.</summary>
public sealed class LinkRequest
{
    public string? Output { get; set; }
    public List<LinkInput> Inputs { get; } = [];
    /// <summary>
    /// -L directories as written (may start with <c>=</c> or <c>$SYSROOT</c>), first occurrence kept.
    /// </summary>
    public List<string> LibraryPaths { get; } = [];
    public List<string> RpathLink { get; } = [];
    public List<string> Rpath { get; } = [];
    public List<string> Scripts { get; } = [];
    public string? Sysroot { get; set; }
    public string? Emulation { get; set; }
    public bool Shared { get; set; }
    /// <summary><c>-static</c> given to ld (no dynamic linking at all).</summary>
    public bool StaticLink { get; set; }
    /// <summary>
    /// Explicit --allow-shlib-undefined (true) / --no-allow-shlib-undefined (false); null = ld's default.
    /// </summary>
    public bool? AllowShlibUndefined { get; set; }
    /// <summary>
    /// --unresolved-symbols=ignore-all|ignore-in-shared-libs makes ld treat shared-library undefineds as allowed.
    /// </summary>
    public bool IgnoreUnresolvedInSharedLibs { get; set; }
    public bool? NewDtags { get; set; }
    /// <summary>
    /// --no-undefined or -z defs: undefined symbols of the link's objects are errors even with -shared.
    /// </summary>
    public bool NoUndefined { get; set; }
    /// <summary>--warn-unresolved-symbols: unresolved symbols are warnings, the link succeeds.</summary>
    public bool WarnUnresolvedSymbols { get; set; }
    /// <summary>
    /// --unresolved-symbols=METHOD as written (ignore-all, report-all, ignore-in-object-files, ignore-in-shared-libs).
    /// </summary>
    public string? UnresolvedSymbols { get; set; }
    /// <summary>-u SYMBOL: undefined from the start (pulls archive members).</summary>
    public List<string> ForcedUndefined { get; } = [];
    /// <summary>--defsym SYMBOL=EXPR names: defined by the linker.</summary>
    public List<string> DefinedByOption { get; } = [];
    /// <summary>
    /// --gc-sections: references from sections ld discards are never resolved, so they cannot fail the link.
    /// </summary>
    public bool GcSections { get; set; }
    /// <summary>-r: a relocatable output resolves nothing.</summary>
    public bool Relocatable { get; set; }
    /// <summary>
    /// Options that change symbol resolution in ways the symbol model does not follow (--wrap, --just-symbols).
    /// </summary>
    public List<string> SymbolOptionsNotModelled { get; } = [];
    public string? Soname { get; set; }
    /// <summary>Options this model does not interpret; kept for verbose output.</summary>
    public List<string> UnknownOptions { get; } = [];

    /// <summary>ld's default: executables check shared libraries' DT_NEEDED, -shared links do not.</summary>
    public bool ChecksSharedLibraryDependencies => !(AllowShlibUndefined ?? Shared) && !IgnoreUnresolvedInSharedLibs;
}
