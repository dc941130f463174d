using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Symbols;

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
}
