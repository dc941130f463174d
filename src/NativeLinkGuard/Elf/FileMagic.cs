namespace NativeLinkGuard.Elf;

/// <summary>
/// The magic numbers that decide how ld reads a file, spelled only here: ELF, an <c>ar</c> archive, a thin archive.
/// Anything else ld tries as a linker script.
/// </summary>
public static class FileMagic
{
    public static ReadOnlySpan<byte> Elf => "\u007fELF"u8;

    public static ReadOnlySpan<byte> Archive => "!<arch>\n"u8;

    public static ReadOnlySpan<byte> ThinArchive => "!<thin>\n"u8;

    /// <summary>The kind the first bytes announce, or null when they carry none of the magics.</summary>
    public static FileKind? Of(ReadOnlySpan<byte> head) =>
        head.StartsWith(Elf) ? FileKind.Elf
        : head.StartsWith(Archive) ? FileKind.Archive
        : head.StartsWith(ThinArchive) ? FileKind.ThinArchive
        : null;
}
