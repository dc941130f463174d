using System.Text;
using NativeLinkGuard.CMake;
using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Scripts;
using NativeLinkGuard.Symbols;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Fuzzing;

/// <summary>Every parser that reads user or system input, as a fuzz target. Add one entry to cover a new parser.</summary>
internal static class FuzzTargets
{
    private static readonly byte[][] ElfWords =
        Words("\x7f" + "ELF", "$ORIGIN", "${ORIGIN}/..", "$LIB", "lib", ".so.", "GLIBC_2.2.5", "/", "//", "\0", "\xff\xff\xff\xff");

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("elf-header-and-dynamic", FuzzSeeds.SharedObjects, (input, c) =>
        {
            bool ok = ElfReader.TryRead(new MemoryByteSource(input), out var file, out var error);
            if (ok != (file is not null) || ok == (error is not null)) throw new FuzzInvariantException("TryRead: result and error disagree");
        }) { HotRegions = ElfLayout.HotRegions, Dictionary = ElfWords },

        new("dynamic-symbol-tables", FuzzSeeds.SharedObjects, (input, c) =>
        {
            var f = SymbolFiles.Open(new MemoryByteSource(input), c.Directory, LibraryFileKind.Elf, sharedObject: true);
            if (f.Shared is { } t)
            {
                foreach (var name in new[] { "printf", "malloc", "dep_fn", "" }) SymbolFiles.Try(() => t.Lookup(name), out _, out _);
                SymbolFiles.Try(() => t.Undefined(), out _, out _);
                SymbolFiles.Try(() => t.DefinedVersions, out _, out _);
            }
            var o = SymbolFiles.Open(new MemoryByteSource(input), c.Directory, LibraryFileKind.Elf, sharedObject: false);
            if ((o.Object is null) == (o.Error is null)) throw new FuzzInvariantException("object symbols: result and error disagree");
        }) { HotRegions = ElfLayout.HotRegions, Dictionary = ElfWords },

        new("ar-archives", FuzzSeeds.Archives, (input, c) =>
        {
            string path = c.Write("libx.a", input);
            ArchiveReader.TryReadFirstMember(path, out _, out _);
            using var source = new FileByteSource(path);
            var a = SymbolFiles.Open(source, c.Directory, LibraryFileKind.Archive, sharedObject: false);
            if (a.Archive is { } ar && SymbolFiles.Try(() => ar.Members(), out var members, out _))
                foreach (var m in members!.Take(8)) SymbolFiles.Try(() => ar.Member(m, out _), out _, out _);
        }) { Dictionary = [.. ElfWords, "!<arch>\n"u8.ToArray(), "!<thin>\n"u8.ToArray(), "//              "u8.ToArray(), "#1/"u8.ToArray(), "__.SYMDEF"u8.ToArray()] },

        new("linker-scripts", FuzzSeeds.LinkerScripts, (input, c) =>
        {
            var parts = FuzzCase.Parts(input, 3);
            string Text(int i) => Encoding.UTF8.GetString(parts[i % parts.Count]);
            int includes = 0;
            LinkerScriptParser.Parse(Text(0), name => ++includes > 20 ? null : Text(includes));
        }) { Dictionary = Words("GROUP(", "INPUT(", "AS_NEEDED(", "INCLUDE ", "SEARCH_DIR(", "OUTPUT_FORMAT(", ")", "(", "/*", "*/", "\"", "-l", "=/") },

        new("response-files", FuzzSeeds.ResponseFiles, (input, c) =>
        {
            var parts = FuzzCase.Parts(input, 3);
            string[] names = ["a.rsp", "b.rsp", "c.rsp"];
            for (int i = 0; i < parts.Count; i++) c.Write(names[i], parts[i]);
            ResponseFiles.Expand(["gcc", "@a.rsp", "-o", "x"], c.Directory, []);
        }) { Dictionary = Words("@a.rsp", "@b.rsp", "@c.rsp", "\"", "'", "\\", "\n", " ") },

        new("link-commands", FuzzSeeds.ShellCommands, (input, c) =>
        {
            if (CommandLineSplitter.TrySplitShell(Encoding.UTF8.GetString(input), out var words, out string? _)) LdArgumentParser.Parse(words);
        }) { Dictionary = Words("-Wl,", "-l", "-L", "--start-group", "--end-group", "-Bstatic", "--as-needed", "-rpath-link", "--sysroot=", "'", "\"", "\\", "$(", "`", "--unresolved-symbols=") },

        new("ld.so.conf", FuzzSeeds.LdSoConfs, (input, c) =>
        {
            var parts = FuzzCase.Parts(input, 4);
            string[] names = ["etc/ld.so.conf", "etc/a.conf", "etc/b.conf", "etc/ld.so.conf.d/x.conf"];
            for (int i = 0; i < parts.Count; i++) c.Write(names[i], parts[i]);
            LdSoConfReader.Read(Path.Combine(c.Directory, "etc/ld.so.conf"), "");
            LdSoConfReader.Read("/etc/ld.so.conf", c.Directory);
        }) { Dictionary = Words("include ", "ld.so.conf.d/*.conf", "a.conf", "b.conf", "../ld.so.conf", "*", "?", "[", "#", "=hwcap", "hwcap ", "\n") },

        new("ld.so.cache", FuzzSeeds.LdSoCaches, (input, c) =>
        {
            var entries = LdSoCacheReader.Parse(input, "fuzz", out _);
            if (entries.Count > input.Length) throw new FuzzInvariantException("more entries than bytes");
        }) { Dictionary = Words("glibc-ld.so.cache1.1", "\0\0\0\0", "\xff\xff\xff\x7f") },

        new("cmake-file-api", FuzzSeeds.FileApiReplies, (input, c) =>
        {
            var parts = FuzzCase.Parts(input, 6);
            string reply = Path.Combine("build", ".cmake", "api", "v1", "reply");
            string[] names = [FuzzSeeds.FileApiIndex, FuzzSeeds.FileApiCodemodel, "target-app.json", "target-foo.json", FuzzSeeds.FileApiToolchains, "extra.json"];
            for (int i = 0; i < parts.Count; i++) c.Write(Path.Combine(reply, names[i]), parts[i]);
            CMakeFileApi.TryRead(Path.Combine(c.Directory, "build"), out _);
        }) { Dictionary = Words("{", "}", "[", "]", "\"jsonFile\":", "\"commandFragments\":", "\"role\":\"libraries\"", "null", "1e309", "\"../../..\"", ":") },

        new("cmake-fallback", FuzzSeeds.NinjaFiles, (input, c) =>
        {
            var parts = FuzzCase.Parts(input, 2);
            c.Write("build/build.ninja", parts[0]);
            if (parts.Count > 1) c.Write("build/CMakeFiles/app.dir/link.txt", parts[1]);
            c.Write("build/CMakeCache.txt", "CMAKE_GENERATOR:INTERNAL=Ninja\n"u8);
            CMakeFallbackReader.TryRead(Path.Combine(c.Directory, "build"), out _);
        }) { Dictionary = Words("build ", "rule ", "command = ", "$\n", "$ ", "||", "|", ":", "LINK_LIBRARIES = ", "TARGET_FILE = ") },

        new("runtime-loader", FuzzSeeds.SharedObjects, (input, c) =>
        {
            // A mutated library as the root, with itself also reachable as a dependency through $ORIGIN.
            string path = c.Write("lib/libfuzz.so", input);
            c.Write("lib/libbar.so.2", input);
            var report = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = c.Directory, LdLibraryPath = "$ORIGIN:" + c.Directory }).Check(path);
            if (!report.Loadable && report.Findings.Count == 0) throw new FuzzInvariantException("not loadable without a finding");
        }) { HotRegions = ElfLayout.HotRegions, Dictionary = ElfWords },
    ];

    private static byte[][] Words(params string[] words) => [.. words.Select(Encoding.Latin1.GetBytes)];
}
