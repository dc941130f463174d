using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// How glibc's dynamic loader (ld.so) searches, for one target: what the runtime check needs to emulate it.
/// Probed from the machine's own ld.so when the checked files are for this machine (<see cref="LoaderProbe"/>),
/// otherwise the built-in glibc defaults under the sysroot.
/// </summary>
public sealed record LoaderEnvironment
{
    /// <summary>The trusted default directories, in order (host paths: sysroot already applied).</summary>
    public required IReadOnlyList<string> SystemDirectories { get; init; }

    /// <summary>
    /// Subdirectories ld.so tries in every search directory before the directory itself (glibc-hwcaps/x86-64-v3,
    /// legacy tls/x86_64…), best first; the directory itself ("") is always last.
    /// </summary>
    public required IReadOnlyList<string> Subdirectories { get; init; }

    /// <summary>What <c>$LIB</c> expands to (Debian: lib/x86_64-linux-gnu).</summary>
    public required string DstLib { get; init; }

    /// <summary>What <c>$PLATFORM</c> expands to (AT_PLATFORM: x86_64).</summary>
    public required string Platform { get; init; }

    /// <summary>ld.so.cache to consult (a host path), or null.</summary>
    public string? CachePath { get; init; }

    /// <summary>With a sysroot that has no ld.so.cache: the directories of its ld.so.conf, which ldconfig would
    /// cache.</summary>
    public IReadOnlyList<string> ConfDirectories { get; init; } = [];

    /// <summary>Sysroot the deployment is modelled in ("" = this machine); cache paths and system dirs lie inside
    /// it.</summary>
    public string Sysroot { get; init; } = "";

    /// <summary>The loader itself: always loaded first, it satisfies DT_NEEDED entries naming it
    /// (ld-linux-x86-64.so.2).</summary>
    public string? RtldPath { get; init; }

    /// <summary>LD_LIBRARY_PATH as configured for the deployment ("" or null = unset).</summary>
    public string? LdLibraryPath { get; init; }

    /// <summary>The directory relative search-path elements (and empty ones) mean: the process's working
    /// directory.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Where the settings came from, for the report.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The ELF class and machine of the loader these settings describe.</summary>
    public ElfClass Class { get; init; } = ElfClass.Elf64;
    public ushort Machine { get; init; } = ElfMachines.X86_64;

    /// <summary>Would this loader map E (its class and machine)? A file it would not is skipped while searching.
    /// </summary>
    public bool Accepts(ElfFile e) => e.IsCompatibleWith(Class, Machine);
}
