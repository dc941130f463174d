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

/// <summary>Maps BFD target names (ld's OUTPUT_FORMAT) to ELF identity.</summary>
public static class BfdTargets
{
    public static bool TryParse(string bfdName, out ElfClass cls, out ElfData data, out ushort machine)
    {
        cls = ElfClass.Elf64; data = ElfData.LittleEndian; machine = 0;
        var parts = bfdName.Split('-', 2);
        if (parts.Length != 2) return false;
        cls = parts[0] switch { "elf64" => ElfClass.Elf64, "elf32" => ElfClass.Elf32, _ => (ElfClass)0 };
        if (cls == 0) return false;
        string arch = parts[1];
        data = arch.StartsWith("big", StringComparison.Ordinal) || arch is "powerpc" or "s390" or "sparc"
            ? ElfData.BigEndian : ElfData.LittleEndian;
        machine = arch switch
        {
            "x86-64" => ElfMachines.X86_64,
            "i386" => ElfMachines.X86,
            "littleaarch64" or "bigaarch64" => ElfMachines.AArch64,
            "littlearm" or "bigarm" => ElfMachines.Arm,
            "littleriscv" => ElfMachines.RiscV,
            "powerpc" or "powerpcle" => ElfMachines.PowerPC64,
            "s390" => ElfMachines.S390,
            _ => (ushort)0,
        };
        return machine != 0;
    }
}
