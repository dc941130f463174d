using System.Text;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Tests.Elf;

namespace NativeLinkGuard.Tests.Fuzzing;

/// <summary>Seed inputs: real files of this machine (when it has them) and synthesized fixtures (always).</summary>
internal static class FuzzSeeds
{
    private const string LibDir = "/usr/lib/x86_64-linux-gnu";

    /// <summary>Up to <paramref name="count"/> regular files matching a pattern, spread evenly over the sorted list.</summary>
    public static IEnumerable<byte[]> RealFiles(string directory, string pattern, int count, long minBytes, long maxBytes, Func<byte[], bool>? accept = null)
    {
        if (!Directory.Exists(directory)) return [];
        var files = Directory.EnumerateFiles(directory, pattern)
            .Where(f => new FileInfo(f) is { LinkTarget: null, Length: var n } && n >= minBytes && n <= maxBytes)
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) return [];
        int step = Math.Max(1, files.Count / count);
        return files.Where((_, i) => i % step == 0).Select(File.ReadAllBytes).Where(b => accept?.Invoke(b) ?? true).Take(count).ToList();
    }

    private static bool IsElf(byte[] b) => b.Length > 4 && b[0] == 0x7f && b[1] == (byte)'E';

    public static IReadOnlyList<byte[]> SharedObjects() =>
    [
        .. RealFiles(LibDir, "*.so*", 16, 4096, 256 << 10, IsElf),
        .. SynthesizedElf(),
    ];

    public static IEnumerable<byte[]> SynthesizedElf()
    {
        yield return ElfTestWriter.Write(new ElfSpec { Soname = "libfoo.so.1", Needed = ["libbar.so.2", "libc.so.6"], Runpath = "$ORIGIN/../lib:/opt/x" }).Bytes;
        yield return ElfTestWriter.Write(new ElfSpec { Class = ElfClass.Elf32, Soname = "libfoo.so.1", Needed = ["libdep.so"], Rpath = "$ORIGIN" }).Bytes;
        yield return ElfTestWriter.Write(new ElfSpec { Data = ElfData.BigEndian, Machine = ElfMachines.AArch64, Needed = ["libdep.so"], Rpath = "/a", Runpath = "$ORIGIN:$LIB" }).Bytes;
        yield return ElfTestWriter.Write(new ElfSpec { Class = ElfClass.Elf32, Data = ElfData.BigEndian, Needed = ["libdep.so"], PtDynamic = false }).Bytes;
        yield return ElfTestWriter.Write(new ElfSpec { Type = ElfType.Relocatable, PtDynamic = false, SectionHeaders = false }).Bytes;
    }

    public static IReadOnlyList<byte[]> Archives()
    {
        byte[] obj = ElfTestWriter.Write(new ElfSpec { Type = ElfType.Relocatable, PtDynamic = false, SectionHeaders = false }).Bytes;
        return
        [
            .. RealFiles(LibDir, "*.a", 6, 1024, 512 << 10),
            Archive(false, ("/", [0, 0, 0, 1, 0, 0, 0, 8, (byte)'f', 0]), ("//", "a_very_long_member_name.o/\n"u8.ToArray()), ("/0", obj)),
            Archive(false, ("#1/20", [.. "long_bsd_member.o\0\0\0"u8, .. obj])),
            Archive(false, ("__.SYMDEF", new byte[8]), ("x.o/", obj)),
            Archive(true, ("//", "member.o/\n"u8.ToArray()), ("/0", [])),
        ];
    }

    /// <summary>An ar archive: GNU member headers, members padded to even sizes; a thin archive leaves the data out.</summary>
    public static byte[] Archive(bool thin, params (string Name, byte[] Data)[] members)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes(thin ? "!<thin>\n" : "!<arch>\n"));
        foreach (var (name, data) in members)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes($"{name,-16}{"0",-12}{"0",-6}{"0",-6}{"644",-8}{data.Length,-10}`\n"));
            if (thin && name != "//") continue;
            bytes.AddRange(data);
            if (data.Length % 2 == 1) bytes.Add((byte)'\n');
        }
        return [.. bytes];
    }

    public static IReadOnlyList<byte[]> LinkerScripts() =>
    [
        .. RealFiles(LibDir, "*.so", 6, 1, 4096, b => !IsElf(b)),
        .. Utf8(
            "/* GNU ld script */\nOUTPUT_FORMAT(elf64-x86-64)\nGROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a  AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )\n",
            "INPUT(-lfoo libbar.a \"quoted name.so\")\nSEARCH_DIR(\"=/usr/lib\") SEARCH_DIR(/opt/lib)\nINCLUDE other.ld\0GROUP(-l:libx.so.1 AS_NEEDED(-ly)) INCLUDE other.ld",
            "OUTPUT_FORMAT(\"elf64-x86-64\", \"elf64-x86-64\", \"elf64-x86-64\")\nOUTPUT_ARCH(i386:x86-64)\nGROUP(a.so, b.so)\n"),
    ];

    public static IReadOnlyList<byte[]> ResponseFiles() => Utf8(
        "-o app main.o -Lbuild -lfoo @b.rsp\0-Wl,-rpath,'$ORIGIN' \"-L dir with space\" -l:libx.so.1\0@a.rsp",
        "-shared -Wl,-soname,libfoo.so.1 foo.o -Wl,--as-needed -lcuda -Wl,--no-as-needed\0",
        "'unterminated \\\" \\\\ esc\\ aped\n\t\v@c.rsp\0\0-Wl,@b.rsp");

    public static IReadOnlyList<byte[]> ShellCommands() => Utf8(
        "gcc -o test_dflash main.o -Lbuild/bin -lggml-cuda -Wl,-rpath-link,/x -Wl,--as-needed -l:libbar.so.1 -Wl,--start-group -la -lb -Wl,--end-group",
        "/usr/bin/c++ -O2 -fPIC -shared -Wl,-soname,libfoo.so -o libfoo.so 'CMakeFiles/foo.dir/a b.cpp.o' \"-L$HOME/lib\" esc\\ aped -Wl,-rpath,\\$ORIGIN",
        "nvcc -o app main.o -L/usr/local/cuda/lib64/stubs -lcuda -Xlinker -rpath-link=/opt --sysroot=/sr -B/opt/bin -fuse-ld=lld",
        "ld -o out -static -L. -Bdynamic -lfoo -Bstatic -lbar -T script.ld --no-allow-shlib-undefined -z defs --unresolved-symbols=ignore-all");

    public static IReadOnlyList<byte[]> LdSoConfs()
    {
        var seeds = Utf8(
            "include ld.so.conf.d/*.conf\n/opt/a/ # dir\n/opt/b=hwcap\0/usr/local/lib\ninclude b.conf\0include a.conf\n/lib:/usr/lib\n",
            "include /etc/ld.so.conf.d/*.conf\n\0include ../ld.so.conf\n\0",
            "\t include  ld.so.conf.d/[ab].conf ld.so.conf.d/?.conf\n   /x/y//\r\n#comment\nhwcap 0 nosegneg\n");
        if (File.Exists("/etc/ld.so.conf"))
        {
            var parts = new List<byte>(File.ReadAllBytes("/etc/ld.so.conf"));
            foreach (var f in RealFiles("/etc/ld.so.conf.d", "*.conf", 2, 1, 64 << 10)) { parts.Add(0); parts.AddRange(f); }
            seeds.Add([.. parts]);
        }
        return seeds;
    }

    public static IReadOnlyList<byte[]> LdSoCaches()
    {
        var seeds = new List<byte[]> { Cache(("libfoo.so.1", "/usr/lib/libfoo.so.1", 0x0303), ("libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0x0303), ("libbar.so", "/opt/libbar.so", 0x0001)) };
        if (File.Exists("/etc/ld.so.cache") && new FileInfo("/etc/ld.so.cache").Length < 1 << 20) seeds.Add(File.ReadAllBytes("/etc/ld.so.cache"));
        return seeds;
    }

    /// <summary>glibc-ld.so.cache1.1: 48-byte header, 24-byte entries (flags, key, value, osversion, hwcap), strings.</summary>
    public static byte[] Cache(params (string Key, string Value, int Flags)[] entries)
    {
        int stringsAt = 48 + (24 * entries.Length);
        var strings = new List<byte>();
        var b = new List<byte>(Encoding.ASCII.GetBytes("glibc-ld.so.cache1.1"));
        b.AddRange(BitConverter.GetBytes(entries.Length));
        var table = new List<byte>();
        foreach (var (key, value, flags) in entries)
        {
            int k = stringsAt + strings.Count; strings.AddRange(Encoding.UTF8.GetBytes(key)); strings.Add(0);
            int v = stringsAt + strings.Count; strings.AddRange(Encoding.UTF8.GetBytes(value)); strings.Add(0);
            table.AddRange(BitConverter.GetBytes(flags)); table.AddRange(BitConverter.GetBytes(k)); table.AddRange(BitConverter.GetBytes(v));
            table.AddRange(BitConverter.GetBytes(0)); table.AddRange(BitConverter.GetBytes(0L));
        }
        b.AddRange(BitConverter.GetBytes(strings.Count));
        b.AddRange(new byte[48 - b.Count]);
        return [.. b, .. table, .. strings];
    }

    public const string FileApiIndex = "index-0.json", FileApiCodemodel = "codemodel-v2-1.json", FileApiToolchains = "toolchains-v1-1.json";

    public static IReadOnlyList<byte[]> FileApiReplies() => Utf8(string.Join('\0',
        """{"cmake":{"generator":{"name":"Ninja"}},"reply":{"codemodel-v2":{"jsonFile":"codemodel-v2-1.json"},"toolchains-v1":{"jsonFile":"toolchains-v1-1.json"}}}""",
        """{"paths":{"build":"/b","source":"/s"},"configurations":[{"name":"","targets":[{"name":"app","id":"app::@1","jsonFile":"target-app.json"},{"name":"foo","id":"foo::@1","jsonFile":"target-foo.json"}]}]}""",
        """{"name":"app","id":"app::@1","type":"EXECUTABLE","nameOnDisk":"app","paths":{"build":".","source":"."},"artifacts":[{"path":"app"}],"link":{"language":"C","commandFragments":[{"fragment":"-Wl,-rpath,/b","role":"flags"},{"fragment":"libfoo.so","role":"libraries"},{"fragment":"-lm","role":"libraries"}]},"dependencies":[{"id":"foo::@1"}]}""",
        """{"name":"foo","id":"foo::@1","type":"SHARED_LIBRARY","nameOnDisk":"libfoo.so","paths":{"build":"sub","source":"sub"},"artifacts":[{"path":"sub/libfoo.so"}],"link":{"language":"CXX","commandFragments":[{"fragment":"-lcuda","role":"libraries"}]},"dependencies":[{"id":"app::@1"}]}""",
        """{"toolchains":[{"language":"C","compiler":{"path":"/usr/bin/cc"}},{"language":"CXX","compiler":{"path":"/usr/bin/c++"}}]}"""));

    public static IReadOnlyList<byte[]> NinjaFiles() => Utf8(
        "rule C_SHARED_LIBRARY_LINKER__foo_\n  command = $PRE_LINK && /usr/bin/cc -fPIC -shared -Wl,-soname,libfoo.so -o $TARGET_FILE $in $LINK_PATH $LINK_LIBRARIES && $POST_BUILD\n" +
        "rule C_EXECUTABLE_LINKER__app_\n  command = $PRE_LINK && /usr/bin/cc $FLAGS $LINK_FLAGS $in -o $TARGET_FILE $LINK_PATH $LINK_LIBRARIES && $POST_BUILD\n" +
        "build libfoo.so: C_SHARED_LIBRARY_LINKER__foo_ CMakeFiles/foo.dir/foo.c.o\n  TARGET_FILE = libfoo.so\n  LINK_LIBRARIES = -lm\n" +
        "build app: C_EXECUTABLE_LINKER__app_ CMakeFiles/app.dir/main.c.o | libfoo.so || cmake_object_order\n  TARGET_FILE = app\n  LINK_LIBRARIES = -Wl,-rpath,/b libfoo.so\n" +
        "\0/usr/bin/cc CMakeFiles/app.dir/main.c.o -o app -Wl,-rpath,/b libfoo.so -lm\n");

    public static List<byte[]> Utf8(params string[] texts) => texts.Select(Encoding.UTF8.GetBytes).ToList();
}
