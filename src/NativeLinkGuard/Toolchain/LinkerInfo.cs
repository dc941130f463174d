using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Toolchain;

public enum LinkerFlavor { Bfd, Gold, Lld, Unknown }

/// <summary>What the linker itself says about its configuration (probed, never guessed).</summary>
public sealed record LinkerInfo(
    string Path,
    string Version,
    LinkerFlavor Flavor,
    // SEARCH_DIRs of the default script, as written (a leading <c>=</c> means the sysroot).
    IReadOnlyList<string> SearchDirs,
    string DefaultSysroot,
    ElfClass TargetClass,
    ElfData TargetData,
    ushort TargetMachine,
    // Native linkers search LD_LIBRARY_PATH and LD_RUN_PATH for DT_NEEDED; cross linkers do not.
    bool IsNative,
    // ld's configured prefix: it reads <c>S + prefix + /etc/ld.so.conf</c> before <c>S/etc/ld.so.conf</c>.
    string Prefix,
    // How each fact was obtained, for verbose output.
    IReadOnlyList<string> ProbeNotes,
    // The first name of the default script's OUTPUT_FORMAT (elf64-x86-64): a library script naming another is skipped.
    string? OutputFormat = null)
{
    public string TargetName => ElfMachines.Describe(TargetClass, TargetData, TargetMachine);

    /// <summary>A file of the link's class, byte order and machine (ld skips any other, ld-rules §1.6, §4.9).</summary>
    public bool IsTarget(ElfFile e) => e.IsCompatibleWith(TargetClass, TargetMachine, TargetData);
}
