namespace NativeLinkGuard.Elf;

public enum ElfClass : byte { Elf32 = 1, Elf64 = 2 }

public enum ElfData : byte { LittleEndian = 1, BigEndian = 2 }

public enum ElfType : ushort { None = 0, Relocatable = 1, Executable = 2, SharedObject = 3, Core = 4 }

/// <summary>The handful of ELF numbers the reader needs (System V gABI).</summary>
internal static class ElfConstants
{
    public const uint PT_LOAD = 1;
    public const uint PT_DYNAMIC = 2;
    public const uint SHT_DYNAMIC = 6;

    public const long DT_NULL = 0;
    public const long DT_NEEDED = 1;
    public const long DT_HASH = 4;
    public const long DT_STRTAB = 5;
    public const long DT_SYMTAB = 6;
    public const long DT_STRSZ = 10;
    public const long DT_SONAME = 14;
    public const long DT_RPATH = 15;
    public const long DT_RUNPATH = 29;
    public const long DT_FLAGS = 30;
    public const long DT_GNU_HASH = 0x6ffffef5;
    public const long DT_VERSYM = 0x6ffffff0;
    public const long DT_FLAGS_1 = 0x6ffffffb;
    public const long DT_VERDEF = 0x6ffffffc;
    public const long DT_VERDEFNUM = 0x6ffffffd;
    public const long DT_VERNEED = 0x6ffffffe;
    public const long DT_VERNEEDNUM = 0x6fffffff;

    /// <summary>Upper bounds that keep hostile files from costing time or memory.</summary>
    public const int MaxProgramHeaders = 4096;
    public const int MaxDynamicEntries = 65536;
    public const int MaxStringLength = 4096;
}
