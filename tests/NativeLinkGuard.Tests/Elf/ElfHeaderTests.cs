using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Symbols;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Elf;

/// <summary>
/// The ELF header is decoded and checked in one place: the dynamic-tag reader, the object symbol reader and the
/// shared-library symbol table must give one and the same diagnostic for one broken header.
/// </summary>
public sealed class ElfHeaderTests
{
    private static IEnumerable<TestCaseData> BrokenHeaders()
    {
        foreach (var cls in new[] { ElfClass.Elf32, ElfClass.Elf64 })
        {
            byte[] valid = ElfTestWriter.Write(new ElfSpec { Class = cls, Soname = "libx.so" }).Bytes;
            int size = cls == ElfClass.Elf64 ? 64 : 52;
            foreach (int n in new[] { 0, 4, 15, 16, 20, size - 1 })
                yield return Case($"{cls} cut to {n} bytes", valid[..n]);
            yield return Case($"{cls} bad magic", With(valid, 2, (byte)'X'));
            yield return Case($"{cls} class 0", With(valid, 4, 0));
            yield return Case($"{cls} class 3", With(valid, 4, 3));
            yield return Case($"{cls} data 0", With(valid, 5, 0));
            yield return Case($"{cls} data 7", With(valid, 5, 7));
        }

        static TestCaseData Case(string name, byte[] bytes) => new TestCaseData(bytes).SetArgDisplayNames(name);
    }

    private static byte[] With(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] = value;
        return copy;
    }

    [TestCaseSource(nameof(BrokenHeaders))]
    public void Every_reader_gives_the_same_diagnostic_for_a_broken_header(byte[] bytes)
    {
        Assert.That(ElfReader.TryRead(new MemoryByteSource(bytes), out _, out var dynamicTags), Is.False);
        var objectSymbols = SymbolFiles.Open(new MemoryByteSource(bytes), ".", LibraryFileKind.Elf, false).Error;
        var sharedSymbols = SymbolFiles.Open(new MemoryByteSource(bytes), ".", LibraryFileKind.Elf, true).Error;

        Assert.That(objectSymbols, Is.EqualTo(dynamicTags));
        Assert.That(sharedSymbols, Is.EqualTo(dynamicTags));
    }

    [TestCase(ElfClass.Elf32, 31)]
    [TestCase(ElfClass.Elf64, 55)]
    public void A_short_program_header_entry_is_one_diagnostic(ElfClass cls, int phentsize)
    {
        byte[] bytes = ElfTestWriter.Write(new ElfSpec
        {
            Class = cls,
            Soname = "libx.so",
            PhentsizeOverride = (ushort)phentsize,
        }).Bytes;

        Assert.That(ElfReader.TryRead(new MemoryByteSource(bytes), out _, out var dynamicTags), Is.False);
        var sharedSymbols = SymbolFiles.Open(new MemoryByteSource(bytes), ".", LibraryFileKind.Elf, true).Error;

        Assert.That(dynamicTags!.Kind, Is.EqualTo(ElfReadErrorKind.Malformed));
        Assert.That(sharedSymbols, Is.EqualTo(dynamicTags));
    }

    [TestCase(ElfClass.Elf32, 39)]
    [TestCase(ElfClass.Elf64, 63)]
    public void A_short_section_header_entry_fails_the_symbol_reader_and_is_skipped_for_dynamic_tags(ElfClass cls,
        int shentsize)
    {
        byte[] bytes = ElfTestWriter.Write(new ElfSpec
        {
            Class = cls,
            Soname = "libx.so",
            ShentsizeOverride = (ushort)shentsize,
        }).Bytes;

        // PT_DYNAMIC is what ld and ld.so read; the section headers are only a fallback.
        Assert.That(ElfReader.TryRead(new MemoryByteSource(bytes), out var file, out _), Is.True);
        Assert.That(file!.Soname, Is.EqualTo("libx.so"));
        var objectSymbols = SymbolFiles.Open(new MemoryByteSource(bytes), ".", LibraryFileKind.Elf, false).Error;
        Assert.That(objectSymbols!.Kind, Is.EqualTo(ElfReadErrorKind.Malformed));
        Assert.That(objectSymbols.Message, Does.Contain($"section header size {shentsize}"));
    }

    /// <summary>
    /// e_ehsize is not checked, because the real tools do not check it: ld links against a library whose header
    /// claims another size, and ld.so loads it.
    /// </summary>
    [TestCase((ushort)0)]
    [TestCase((ushort)16)]
    [TestCase((ushort)4096)]
    [Category("RequiresCc")]
    public void A_wrong_header_size_field_is_accepted_as_ld_and_ld_so_accept_it(ushort ehsize)
    {
        Tool.RequireOnPath("gcc");
        using var dir = new TempDirectory();
        dir.Write("f.c", "int f(void) { return 42; }\n");
        dir.Write("m.c", "int f(void);\nint main(void) { return f() == 42 ? 0 : 1; }\n");
        var (code, output) = Tool.Run(dir.Path, "gcc", "-shared", "-fPIC", "-Wl,-soname,libf.so", "-o", "libf.so",
            "f.c");
        Assert.That(code, Is.Zero, output);
        string lib = System.IO.Path.Combine(dir.Path, "libf.so");
        var bytes = File.ReadAllBytes(lib);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(52), ehsize); // ELF64 e_ehsize
        File.WriteAllBytes(lib, bytes);

        var (linkCode, linkOutput) = Tool.Run(dir.Path, "gcc", "-o", "m", "m.c", "-L.", "-lf", "-Wl,-rpath,$ORIGIN");
        var (runCode, runOutput) = Tool.Run(dir.Path, System.IO.Path.Combine(dir.Path, "m"));
        Assert.That(ElfReader.TryRead(lib, out var file, out var error), Is.True, () => error!.ToString());
        var symbols = SymbolFiles.Open(lib, LibraryFileKind.Elf, sharedObject: true);

        Assert.That(linkCode, Is.Zero, linkOutput);
        Assert.That(runCode, Is.Zero, runOutput);
        Assert.That(file!.Soname, Is.EqualTo("libf.so"));
        Assert.That(symbols.Error, Is.Null, () => symbols.Error!.ToString());
        Assert.That(symbols.Shared!.Lookup("f"), Is.Not.Empty);
    }
}
