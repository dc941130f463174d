using System.Runtime.InteropServices;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Audit;

/// <summary>What ldconfig's create_links would do with one SONAME link (glibc elf/ldconfig.c).</summary>
internal enum SonameLinkState
{
    /// <summary>The SONAME name already leads to the chosen file (same device and inode): silent.</summary>
    Correct,
    /// <summary>The SONAME name is a regular file of another inode: "DIR/SONAME is not a symbolic link".</summary>
    NotALink,
    /// <summary>Nothing usable has the SONAME name (absent or dangling): ldconfig creates the link.</summary>
    Missing,
    /// <summary>The SONAME name is a symlink to another file: ldconfig re-points it ("(changed)").</summary>
    Stale,
}

/// <summary>One SONAME of a directory and the entry ldconfig picked for it.</summary>
internal sealed record SonameChoice(string Soname, LibraryEntry Chosen, bool ChosenIsLink,
    IReadOnlyList<LibraryEntry> Members);

/// <summary>
/// ldconfig's search_dir, literally (glibc 2.36 elf/ldconfig.c), established against <c>ldconfig -n -N -X -v</c>:
/// <list type="number">
/// <item>a symlink keeps counting as a link only when its own name is the SONAME or the <c>.so</c> name that prefixes
/// it (<c>libfoo.so</c> for <c>libfoo.so.1</c>); it is then keyed by its own name, so it never competes with files.
/// Any other symlink (<c>libXaw.so.7 -> libXaw7.so.7.0.0</c>) is treated as a regular file;</item>
/// <item>per SONAME a file beats a link, else the newer name (<see cref="LibraryVersionComparer"/>) wins;</item>
/// <item>links are made only for a winner that is not a link, and only compared by (device, inode), one SONAME after
/// another in <see cref="CreateLinksOrder"/>, each seeing the links the earlier ones made.</item>
/// </list>
/// </summary>
internal static class LdconfigRules
{
    public static List<SonameChoice> Choose(IEnumerable<LibraryEntry> libraries)
    {
        var groups = new Dictionary<string, (LibraryEntry Chosen, bool IsLink, List<LibraryEntry> Members)>(
            StringComparer.Ordinal);
        foreach (var e in libraries)
        {
            string soname = e.Elf!.Soname ?? e.Name;
            bool isLink = e.IsLink
                && (e.Name == soname
                    || (e.Name.EndsWith(".so", StringComparison.Ordinal)
                        && soname.StartsWith(e.Name, StringComparison.Ordinal)));
            if (isLink) soname = e.Name;
            if (!groups.TryGetValue(soname, out var g))
            {
                groups[soname] = (e, isLink, [e]);
                continue;
            }
            g.Members.Add(e);
            if ((!isLink && g.IsLink)
                || (isLink == g.IsLink && LibraryVersionComparer.Instance.Compare(g.Chosen.Name, e.Name) < 0))
                g = (e, isLink, g.Members);
            groups[soname] = g;
        }
        return groups.OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SonameChoice(g.Key, g.Value.Chosen, g.Value.IsLink, g.Value.Members)).ToList();
    }

    /// <summary>
    /// The libraries this machine's ldconfig reads at all: on x86 (sysdeps/unix/sysv/linux/x86/readelflib.c) x86-64 and
    /// x32 and 32-bit i386 ones, any other machine being "for unknown machine" and skipped; elsewhere (glibc's generic
    /// readelflib.c) those of its own ELF class.
    /// </summary>
    public static bool KnowsMachine(ElfFile elf) => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => elf.Machine == ElfMachines.X86_64
            || (elf.Machine == ElfMachines.X86 && elf.Class == ElfClass.Elf32),
        _ => elf.Class == (IntPtr.Size == 8 ? ElfClass.Elf64 : ElfClass.Elf32),
    };

    /// <summary>
    /// create_links for one SONAME in <paramref name="run"/>, the directory as ldconfig's own run has left it so far:
    /// the SONAME name and the chosen file compared by identity only.
    /// </summary>
    public static SonameLinkState LinkState(DirectoryModel run, string soname, string chosen)
    {
        if (run.Resolve(soname) is not { Resolves: true, Identity: var id }) return SonameLinkState.Missing;
        if (id == run.Resolve(chosen).Identity) return SonameLinkState.Correct;
        return run.IsLink(soname) ? SonameLinkState.Stale : SonameLinkState.NotALink;
    }

    /// <summary>
    /// The order create_links takes the SONAMEs in: search_dir puts each new SONAME at the head of its list as readdir
    /// meets it, so the SONAME met last goes first. It matters where a chosen file is itself a link another SONAME's
    /// step re-points (libA.so.1 -> libA.so.2 after libA.so.2 is changed), measured with ldconfig -n -N -v.
    /// </summary>
    public static IEnumerable<SonameChoice> CreateLinksOrder(
        IReadOnlyList<SonameChoice> choices, IReadOnlyList<string> readdirOrder)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < readdirOrder.Count; i++) index.TryAdd(readdirOrder[i], i);
        return choices.OrderByDescending(c => c.Members.Min(m => index.GetValueOrDefault(m.Name, int.MaxValue)));
    }
}
