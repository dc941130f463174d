using System.Runtime.InteropServices;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// The host's RID fallback list for native assets: since .NET 8 only portable RIDs, from the most specific down to
/// <c>any</c> (linux-x64 → linux → unix → any; observed: a package with linux-x64 and unix assets gave only the
/// linux-x64 directory).
/// </summary>
public static class RuntimeIdentifiers
{
    public static IReadOnlyList<string> Fallbacks(string rid)
    {
        var list = new List<string> { rid };
        string os = rid;
        int dash = os.LastIndexOf('-');
        if (dash > 0 && IsArchitecture(os[(dash + 1)..])) os = os[..dash];
        // linux-musl → linux
        for (string o = os; o.Length > 0; o = o.Contains('-') ? o[..o.LastIndexOf('-')] : "")
            if (!list.Contains(o)) list.Add(o);
        if (os.StartsWith("linux", StringComparison.Ordinal) || os.StartsWith("osx", StringComparison.Ordinal))
            list.Add("unix");
        list.Add("any");
        return list;
    }

    /// <summary>This machine's portable RID (what a RID-less build runs as here).</summary>
    public static string Host() => "linux-" + RuntimeInformation.OSArchitecture switch
    {
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.X86 => "x86",
        _ => "x64",
    };

    /// <summary>
    /// The ELF class and machine a RID's libraries must have (null: not a glibc/musl Linux RID we model).
    /// </summary>
    public static (ElfClass Class, ushort Machine)? Abi(string rid) => rid[(rid.LastIndexOf('-') + 1)..] switch
    {
        "x64" => (ElfClass.Elf64, ElfMachines.X86_64),
        "arm64" => (ElfClass.Elf64, ElfMachines.AArch64),
        _ => null,
    };

    private static bool IsArchitecture(string s) =>
        s is "x64" or "x86" or "arm64" or "arm" or "riscv64" or "loongarch64" or "s390x" or "ppc64le";
}
