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

    /// <summary>realpath(3): the sysroot test is made on the fully resolved path, as ld does.</summary>
    public static string RealPath(string path) => NativeMethods.RealPath(path) ?? path;
}
