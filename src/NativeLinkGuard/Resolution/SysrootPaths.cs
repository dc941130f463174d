namespace NativeLinkGuard.Resolution;

/// <summary>ld's sysroot rules for path elements (ldfile.c, ldelf_add_sysroot), as small pure functions.</summary>
public static class SysrootPaths
{
    /// <summary>
    /// A -L or SEARCH_DIR element: <c>=DIR</c> and <c>$SYSROOT/DIR</c> get the sysroot; any other absolute path is
    /// verbatim even with --sysroot (ldfile.c:112-117); relative ones are cwd-relative. lld 14 knows only <c>=</c>:
    /// <c>-L$SYSROOT/DIR</c> is a literal (nonexistent) directory there.
    /// </summary>
    public static string LibraryPath(string dir, string sysroot, string cwd, bool lld = false)
    {
        string written = LibraryPathAsWritten(dir, sysroot, lld);
        return Path.IsPathRooted(written) ? written : Path.GetFullPath(Path.Combine(cwd, written));
    }

    /// <summary>Does ld put the sysroot before the -L or SEARCH_DIR element DIR (a non-empty one)?</summary>
    public static bool LibraryPathGetsSysroot(string dir, string sysroot, bool lld = false) => sysroot.Length > 0
        && (dir.StartsWith('=') || (!lld && dir.StartsWith("$SYSROOT", StringComparison.Ordinal)));

    /// <summary>The same, left relative when written relative: ld names files found there that way.</summary>
    public static string LibraryPathAsWritten(string dir, string sysroot, bool lld = false)
    {
        if (dir.StartsWith('=')) return sysroot + dir[1..];
        if (!lld && dir.StartsWith("$SYSROOT", StringComparison.Ordinal)) return sysroot + dir["$SYSROOT".Length..];
        return dir;
    }

    /// <summary>-rpath and DT_RUNPATH/DT_RPATH elements: absolute ones are looked for inside the sysroot.</summary>
    public static string RuntimeElement(string element, string sysroot) =>
        RuntimeElementGetsSysroot(element, sysroot) ? sysroot + element : element;

    /// <summary>Does ld put the (non-empty) sysroot before this -rpath or DT_RUNPATH/DT_RPATH element?</summary>
    public static bool RuntimeElementGetsSysroot(string element, string sysroot) =>
        sysroot.Length > 0 && element.StartsWith('/');

    /// <summary>Is <paramref name="realPath"/> inside the sysroot (is_sysrooted_pathname)?</summary>
    public static bool IsInside(string realPath, string sysroot)
    {
        if (sysroot.Length == 0) return false;
        string s = sysroot.TrimEnd('/');
        return realPath.StartsWith(s + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// Is a linker script "under the sysroot", so that its absolute member names are looked for inside it? GNU ld
    /// asks of the script's realpath (is_sysrooted_pathname, against the sysroot's realpath); lld 14 walks the
    /// path as it opened it (<paramref name="spelling"/>, relative to the link's cwd) up through its lexical parents,
    /// comparing each with the sysroot as a file (sys::fs::equivalent): a script reached through a symlink from
    /// outside, or spelled "./x" from inside, is not under it for lld (random cases 1600038:2, 1600047:0).
    /// </summary>
    public static bool ScriptIsUnderSysroot(string scriptPath, string spelling, string sysroot, string cwd, bool lld)
    {
        if (sysroot.Length == 0) return false;
        string root = RealPath(sysroot);
        if (!lld) return IsInside(RealPath(scriptPath), root);
        for (string p = spelling; p.Length > 0; p = LexicalParent(p))
        {
            string full = Path.IsPathRooted(p) ? p : Path.Combine(cwd, p);
            if (NativeMethods.RealPath(full) is { } real && real == root) return true;
        }
        return false;
    }

    /// <summary>llvm::sys::path::parent_path: the path less its last component ("" for "x" and for "/").</summary>
    private static string LexicalParent(string p)
    {
        string t = p.TrimEnd('/');
        if (t.Length == 0) return "";
        int slash = t.LastIndexOf('/');
        if (slash < 0) return "";
        return slash == 0 ? "/" : t[..slash].TrimEnd('/') is { Length: > 0 } parent ? parent : "/";
    }

    /// <summary>realpath(3): the sysroot test is made on the fully resolved path, as ld does.</summary>
    public static string RealPath(string path) => NativeMethods.RealPath(path) ?? path;
}
