using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// GNU ld's two search lists: the one for -l and script members (-L, then SEARCH_DIRs) and the one for a DT_NEEDED
/// (ldelf_search_needed's order). Each directory carries the <see cref="SearchRule"/> that put it there; NOTES gets
/// what reading ld.so.conf had to say.
/// </summary>
public sealed class LinkSearchLists(ResolverContext ctx, LibraryFileCache files, List<string> notes)
{
    private List<SearchDirectory>? _librarySearch;
    private IReadOnlyList<string>? _ldSoConfDirs;

    private string S => ctx.Sysroot;

    private bool Lld => ctx.Linker.Flavor == LinkerFlavor.Lld;

    /// <summary>-L dirs in command-line order, then the linker's SEARCH_DIRs (ld-rules §1.1, §2).</summary>
    public IReadOnlyList<SearchDirectory> LibrarySearchList()
    {
        if (_librarySearch is not null) return _librarySearch;
        var list = new List<SearchDirectory>();
        foreach (var l in ctx.Request.LibraryPaths)
            list.Add(new SearchDirectory(SysrootPaths.LibraryPath(l, S, ctx.WorkingDirectory, Lld),
                SearchRule.CommandLineLibraryPath, SysrootPaths.LibraryPathAsWritten(l, S, Lld))
            {
                InSysroot = SysrootPaths.LibraryPathGetsSysroot(l, S, Lld),
            });
        list.AddRange(SearchDirs());
        return _librarySearch = list;
    }

    private IEnumerable<SearchDirectory> SearchDirs() => ctx.Linker.SearchDirs.Select(d =>
        new SearchDirectory(SysrootPaths.LibraryPath(d, S, ctx.WorkingDirectory), SearchRule.DefaultSearchDir)
        {
            InSysroot = SysrootPaths.LibraryPathGetsSysroot(d, S),
        });

    /// <summary>ldelf_search_needed's order (ld-rules §4.3).</summary>
    public IReadOnlyList<SearchDirectory> NeededSearchList(ResolvedLibrary by)
    {
        var list = new List<SearchDirectory>();
        var req = ctx.Request;
        string origin = Path.GetDirectoryName(ctx.Absolute(by.Spelling)) ?? "/";
        void AddPath(string? value, SearchRule rule, bool sysrootAbsolute)
        {
            if (value is null) return;
            foreach (var element in RunPaths.Split(value))
            {
                // An empty element means the current directory (CMake's "-Wl,-rpath,DIR:" hits this).
                string e = element.Length == 0 ? ""
                    : RunPaths.ForLinker(element, origin, by.Elf.Class, sysrootAbsolute ? S : null);
                list.Add(new SearchDirectory(e.Length == 0 ? "" : ctx.Absolute(e), rule, Written: e)
                {
                    InSysroot = sysrootAbsolute && SysrootPaths.RuntimeElementGetsSysroot(element, S),
                });
            }
        }
        foreach (var r in req.RpathLink) AddPath(r, SearchRule.RpathLink, false);
        foreach (var r in req.Rpath) AddPath(r, SearchRule.Rpath, true);
        if (ctx.Linker.IsNative)
        {
            if (req.Rpath.Count == 0 && req.RpathLink.Count == 0) AddPath(NonEmpty(ctx.Env("LD_RUN_PATH")),
                SearchRule.LdRunPath, false);
            AddPath(NonEmpty(ctx.Env("LD_LIBRARY_PATH")), SearchRule.LdLibraryPath, false);
        }
        if (RunPaths.EffectiveList(by.Elf) is { } own) AddPath(own.List, own.Rule, true);
        foreach (var d in LdSoConfDirectories()) list.Add(new SearchDirectory(d, SearchRule.LdSoConf));
        list.AddRange(SearchDirs());
        return list;
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private IReadOnlyList<string> LdSoConfDirectories()
    {
        if (_ldSoConfDirs is not null) return _ldSoConfDirs;
        // S + prefix + /etc/ld.so.conf if it exists, else S/etc/ld.so.conf, never both (ld-rules §4.4).
        string first = S + ctx.Linker.Prefix.TrimEnd('/') + "/etc/ld.so.conf";
        string conf = File.Exists(first) ? first : S + "/etc/ld.so.conf";
        if (!File.Exists(conf)) return _ldSoConfDirs = [];
        var result = files.LdSoConf(conf, S);
        foreach (var f in result.FilesRead) files.Depend(f);
        files.Depend(first);
        foreach (var d in result.Diagnostics) notes.Add($"ld.so.conf: {d}");
        return _ldSoConfDirs = result.Directories;
    }
}
