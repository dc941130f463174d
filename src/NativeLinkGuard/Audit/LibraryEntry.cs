using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Audit;

/// <summary>
/// One name in an audited directory that ldconfig looks at (<c>lib*.so*</c>, <c>ld-*.so*</c>), judged by what it really
/// is: <see cref="Identity"/> is the (device, inode) the name leads to after every symlink, inside the directory or
/// not (<c>/usr</c> merge, <c>/etc/alternatives</c>), so two names of one file are never taken for copies.
/// </summary>
internal sealed record LibraryEntry(string Name, string Path, bool IsLink, string? LinkTarget,
    (uint, uint, ulong)? Identity, long Size, ElfFile? Elf, string? Error)
{
    /// <summary>What ldconfig's process_file accepts: an ELF shared object
    /// (ET_DYN) with a dynamic section, for a machine it knows.</summary>
    public bool IsLibrary => Elf is { IsSharedObject: true, HasDynamicSection: true }
        && LdconfigRules.KnowsMachine(Elf);

    /// <summary>glibc's _dl_is_dso: the names ldconfig considers at all.</summary>
    public static bool IsLibraryName(string name) =>
        (name.StartsWith("lib", StringComparison.Ordinal) || name.StartsWith("ld-", StringComparison.Ordinal))
            && name.Contains(".so", StringComparison.Ordinal);

    /// <summary>Reads NAME in DIR without following it further than
    /// stat(2) does; null when nothing has that name.</summary>
    public static LibraryEntry? Read(string dir, string name)
    {
        string path = System.IO.Path.Combine(dir, name);
        try
        {
            var info = new FileInfo(path);
            string? linkTarget = info.LinkTarget;
            // Not a file nor a link: absent, or a directory (which ldconfig,
            // too, calls "not a symbolic link" where a SONAME link belongs).
            if (linkTarget is null && !info.Exists)
                return NativeMethods.LinkStat(path) is { } other
                    ? new LibraryEntry(name, path, false, null, other.Identity, 0, null, null) : null;
            if (NativeMethods.Stat(path, out int errno) is not { } st)
            {
                // ldconfig -v: "Cannot stat DIR/NAME: No such file or directory"
                // (dangling) or "...: Too many levels of symbolic links".
                string why = errno == 40 ? "Too many levels of symbolic links"
                    : errno == 13 ? "Permission denied"
                    : "No such file or directory";
                return new LibraryEntry(name, path, linkTarget is not null, linkTarget, null, 0, null, why);
            }
            // Directories (hwcap subdirectories), FIFOs, sockets and devices are never opened.
            if (st.Type != FileStatType.Regular)
                return new LibraryEntry(name, path, linkTarget is not null, linkTarget, st.Identity, 0, null, null);
            ElfReader.TryRead(path, out var elf, out _);
            return new LibraryEntry(name, path, linkTarget is not null, linkTarget, st.Identity, st.Size, elf, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LibraryEntry(name, path, false, null, null, 0, null, e.Message);
        }
    }
}
