namespace NativeLinkGuard.Elf;

/// <summary>Names for the e_machine values users meet, in BFD's spelling where there is one.</summary>
public static class ElfMachines
{
    public const ushort X86 = 3;
    public const ushort Arm = 40;
    public const ushort X86_64 = 62;
    public const ushort AArch64 = 183;
    public const ushort RiscV = 243;
    public const ushort PowerPC64 = 21;
    public const ushort S390 = 22;

    public static string Describe(ElfClass cls, ElfData data, ushort machine)
    {
        string bits = cls == ElfClass.Elf64 ? "elf64" : "elf32";
        string name = machine switch
        {
            X86_64 => "x86-64",
            X86 => "i386",
            AArch64 => data == ElfData.BigEndian ? "bigaarch64" : "littleaarch64",
            Arm => data == ElfData.BigEndian ? "bigarm" : "littlearm",
            RiscV => "littleriscv",
            PowerPC64 => data == ElfData.BigEndian ? "powerpc" : "powerpcle",
            S390 => "s390",
            _ => $"machine-{machine}",
        };
        return $"{bits}-{name}";
    }
}
