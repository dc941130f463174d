namespace NativeLinkGuard.Elf;

/// <summary>What the resolver needs from one ELF file: identity for compatibility checks and the dynamic
/// tags.</summary>
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

    /// <summary>
    /// The one class/machine test of ld and ld.so for a candidate: what differs first, or null when it fits. ld
    /// also compares the byte order (pass <paramref name="data"/>); ld.so skips a file of another class or machine.
    /// </summary>
    public ElfMismatch? MismatchWith(ElfClass elfClass, ushort machine, ElfData? data = null) =>
        Class != elfClass ? ElfMismatch.Class
        : Machine != machine ? ElfMismatch.Machine
        : data is { } d && Data != d ? ElfMismatch.ByteOrder
        : null;

    public bool IsCompatibleWith(ElfClass elfClass, ushort machine, ElfData? data = null) =>
        MismatchWith(elfClass, machine, data) is null;

    public bool IsCompatibleWith(ElfFile other) => IsCompatibleWith(other.Class, other.Machine, other.Data);

    /// <summary>Human name of the target, as in `elf64-x86-64`.</summary>
    public string TargetName => ElfMachines.Describe(Class, Data, Machine);
}

/// <summary>Why a candidate does not fit a target (<see cref="ElfFile.MismatchWith"/>).</summary>
public enum ElfMismatch { Class, Machine, ByteOrder }

public enum ElfReadErrorKind { NotElf, Truncated, Malformed, Unsupported, IoError }

/// <summary>Why a file could not be read as ELF; a finding, never an exception.</summary>
public sealed record ElfReadError(ElfReadErrorKind Kind, string Message, long? Offset = null)
{
    public override string ToString() => Offset is { } o ? $"{Message} (at offset 0x{o:x})" : Message;

    /// <summary>Runs a bounded read and turns a format or I/O problem into an error value: the one place where the
    /// readers' exceptions stop.</summary>
    internal static bool Catch<T>(Func<T> read, out T? value, out ElfReadError? error) =>
        Catch(read, static r => r(), out value, out error);

    /// <summary>The same, with the read's state passed in: a static delegate allocates nothing per call (a check
    /// makes thousands of hash lookups).</summary>
    internal static bool Catch<TState, T>(TState state, Func<TState, T> read, out T? value, out ElfReadError? error)
    {
        try
        {
            value = read(state);
            error = null;
            return true;
        }
        catch (ElfFormatException e)
        {
            value = default;
            error = new ElfReadError(e.Kind, e.Message, e.Offset);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            value = default;
            error = new ElfReadError(ElfReadErrorKind.IoError, e.Message);
            return false;
        }
    }
}
