namespace NativeLinkGuard.Elf;

/// <summary>What the resolver needs from one ELF file: identity for compatibility checks and the dynamic tags.</summary>
public sealed record ElfFile(
    ElfClass Class,
    ElfData Data,
    ElfType Type,
    ushort Machine,
    byte OsAbi,
    bool HasDynamicSection,
    string? Soname,
    IReadOnlyList<string> Needed,
    string? Rpath,
    string? Runpath,
    ulong Flags,
    ulong Flags1)
{
    public bool IsSharedObject => Type == ElfType.SharedObject;

    /// <summary>Not read from a file: predicted from the link of a library the build has not produced yet.</summary>
    public string? PredictedFrom { get; init; }

    /// <summary>ld's compatibility test for a candidate: same class and machine (and byte order).</summary>
    public bool IsCompatibleWith(ElfFile other) => Class == other.Class && Machine == other.Machine && Data == other.Data;

    /// <summary>Human name of the target, as in `elf64-x86-64`.</summary>
    public string TargetName => ElfMachines.Describe(Class, Data, Machine);
}

public enum ElfReadErrorKind { NotElf, Truncated, Malformed, Unsupported, IoError }

/// <summary>Why a file could not be read as ELF; a finding, never an exception.</summary>
public sealed record ElfReadError(ElfReadErrorKind Kind, string Message, long? Offset = null)
{
    public override string ToString() => Offset is { } o ? $"{Message} (at offset 0x{o:x})" : Message;
}
