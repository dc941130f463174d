namespace NativeLinkGuard.Elf;

/// <summary>
/// What a candidate file is, as far as ld's search cares. ld reads any file that is neither ELF nor an archive as a
/// linker script, so <see cref="Text"/> and <see cref="Unknown"/> both end up there; <see cref="Unknown"/> will fail
/// to parse.
/// </summary>
public enum FileKind
{
    /// <summary>No such file, or a dangling symbolic link.</summary>
    Missing,

    /// <summary>The name exists but cannot be opened or read (EACCES, a symbolic-link loop, an I/O error).</summary>
    Unreadable,

    Directory,

    /// <summary>Starts with the ELF magic.</summary>
    Elf,

    /// <summary><c>!&lt;arch&gt;\n</c>.</summary>
    Archive,

    /// <summary><c>!&lt;thin&gt;\n</c>: members are paths relative to the archive's directory.</summary>
    ThinArchive,

    /// <summary>No NUL byte in the first 64 bytes (an empty file counts): ld will read it as a linker script.</summary>
    Text,

    /// <summary>Binary garbage: ld will try it as a linker script and fail.</summary>
    Unknown,
}
