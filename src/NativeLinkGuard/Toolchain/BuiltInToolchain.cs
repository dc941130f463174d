using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Toolchain;

/// <summary>
/// The documented model used when the toolchain is not on this machine (checking a build configured elsewhere):
/// GNU ld 2.40 as Debian builds it for x86-64, native, prefix /usr, no default sysroot — overridable with explicit
/// options. Driver arguments are translated the way gcc passes them (-Wl, -Xlinker, -L, -l, -shared, -static,
/// --sysroot, files); gcc's own implicit -L dirs and libraries are not modelled.
/// </summary>
public static class BuiltInToolchain
{
    public static readonly IReadOnlyList<string> DebianX86_64SearchDirs =
    [
        "=/usr/local/lib/x86_64-linux-gnu", "=/lib/x86_64-linux-gnu", "=/usr/lib/x86_64-linux-gnu",
        "=/usr/lib/x86_64-linux-gnu64",
        "=/usr/local/lib64", "=/lib64", "=/usr/lib64", "=/usr/local/lib", "=/lib", "=/usr/lib",
        "=/usr/x86_64-linux-gnu/lib64", "=/usr/x86_64-linux-gnu/lib",
    ];

    public static LinkerInfo Linker(IReadOnlyList<string>? searchDirs) => new(
        "(built-in model)", "GNU ld 2.40 (built-in model, not probed)", LinkerFlavor.Bfd,
        searchDirs is { Count: > 0 } ? searchDirs : DebianX86_64SearchDirs, "",
        ElfClass.Elf64, ElfData.LittleEndian, ElfMachines.X86_64, IsNative: true, Prefix: "/usr",
        ["built-in model: no toolchain was run; SEARCH_DIRs, target and native-ness are assumptions (see README)"],
            "elf64-x86-64");

    /// <summary>gcc's translation of its own link options into ld's argv (argv[0] kept).</summary>
    public static List<string> TranslateDriverArguments(IReadOnlyList<string> argv)
    {
        var ld = new List<string> { "ld" };
        if (argv.Count > 0 && DriverExpansion.IsLinker(argv[0])) return [.. argv];
        for (int i = 1; i < argv.Count; i++)
        {
            string a = argv[i];
            if (a.StartsWith("-Wl,", StringComparison.Ordinal)) ld.AddRange(a[4..].Split(','));
            else if (a == "-Xlinker" && i + 1 < argv.Count) ld.Add(argv[++i]);
            else if (a is "-o" or "-L" or "-l" && i + 1 < argv.Count) { ld.Add(a); ld.Add(argv[++i]); }
            else if (a.StartsWith("-L", StringComparison.Ordinal) || a.StartsWith("-l", StringComparison.Ordinal)
                || a.StartsWith("-o", StringComparison.Ordinal))
                ld.Add(a);
            else if (a is "-shared" or "-static" or "-rdynamic" or "-nostdlib") ld.Add(a == "-rdynamic" ? "-E" : a);
            else if (a.StartsWith("--sysroot=", StringComparison.Ordinal)) ld.Add(a);
            else if (a == "--sysroot" && i + 1 < argv.Count) ld.Add("--sysroot=" + argv[++i]);
            else if (a == "-pthread") ld.Add("-lpthread");
            else if (!a.StartsWith('-') && !IsSource(a)) ld.Add(a);
        }
        // Debian's gcc passes --as-needed and links libc last.
        ld.Insert(1, "--as-needed");
        return ld;
    }

    private static bool IsSource(string f) =>
        new[] { ".c", ".cc", ".cpp", ".cxx", ".C", ".cu", ".s", ".S", ".f90" }
            .Any(e => f.EndsWith(e, StringComparison.Ordinal));
}
