using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Tests.Elf;

public sealed class ElfReaderTests
{
    private static ElfFile Read(byte[] bytes)
    {
        Assert.That(ElfReader.TryRead(new MemoryByteSource(bytes), out var f, out var e), Is.True, e?.ToString());
        return f!;
    }

    [TestCase(true, false)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    [TestCase(false, true)]
    public void Dynamic_tags_round_trip_in_every_class_and_byte_order(bool is64, bool bigEndian)
    {
        var w = new ElfTestWriter { Is64 = is64, BigEndian = bigEndian, Machine = 183, Soname = "libx.so.1", Needed = ["liba.so.2", "libc.so.6"], Runpath = "$ORIGIN/../lib", Flags1 = 0x8 };
        var f = Read(w.Build());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(f.Class, Is.EqualTo(is64 ? ElfClass.Elf64 : ElfClass.Elf32));
            Assert.That(f.Data, Is.EqualTo(bigEndian ? ElfData.BigEndian : ElfData.LittleEndian));
            Assert.That(f.Machine, Is.EqualTo((ushort)183));
            Assert.That(f.IsSharedObject, Is.True);
            Assert.That(f.Soname, Is.EqualTo("libx.so.1"));
            Assert.That(f.Needed, Is.EqualTo(new[] { "liba.so.2", "libc.so.6" }));
            Assert.That(f.Runpath, Is.EqualTo("$ORIGIN/../lib"));
            Assert.That(f.Rpath, Is.Null);
            Assert.That(f.Flags1, Is.EqualTo(0x8UL));
        }
    }

    [Test]
    public void Rpath_and_runpath_are_both_read_when_both_exist()
    {
        var f = Read(new ElfTestWriter { Rpath = "/old", Runpath = "/new" }.Build());
        Assert.That((f.Rpath, f.Runpath), Is.EqualTo(("/old", "/new")));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Section_headers_are_the_fallback_without_pt_dynamic(bool is64)
    {
        var f = Read(new ElfTestWriter { Is64 = is64, WithProgramDynamic = false, WithSections = true, Soname = "libs.so", Needed = ["libn.so"] }.Build());
        Assert.That((f.HasDynamicSection, f.Soname, f.Needed.Single()), Is.EqualTo((true, "libs.so", "libn.so")));
    }

    [Test]
    public void File_without_a_dynamic_section_has_no_tags()
    {
        var f = Read(new ElfTestWriter { WithProgramDynamic = false, Type = 1 }.Build());
        Assert.That((f.HasDynamicSection, f.Needed.Count), Is.EqualTo((false, 0)));
    }

    [Test]
    public void Strtab_address_outside_every_load_segment_is_malformed()
    {
        var f = new ElfTestWriter { Soname = "a", LoadVaddr = 0x10000 }.Build();
        // Move PT_LOAD's vaddr far away so DT_STRTAB no longer maps.
        BitConverter.TryWriteBytes(f.AsSpan(64 + 16), 0x7000_0000UL);
        Assert.That(ElfReader.TryRead(new MemoryByteSource(f), out _, out var e), Is.False);
        Assert.That(e!.Message, Does.Contain("PT_LOAD"));
    }

    [Test]
    public void Every_prefix_of_a_synthesized_file_is_handled()
    {
        foreach (var (is64, be) in new[] { (true, false), (false, true) })
        {
            var bytes = new ElfTestWriter { Is64 = is64, BigEndian = be, Soname = "libp.so", Needed = ["libq.so"], WithSections = true }.Build();
            for (int len = 0; len <= bytes.Length; len++)
                Assert.DoesNotThrow(() => ElfReader.TryRead(new MemoryByteSource(bytes.AsMemory(0, len)), out _, out _));
        }
    }

    [Test]
    [Category("RequiresCc")]
    public void A_gcc_built_library_reads_like_readelf_says()
    {
        Assume.That(Differential.LinkFixture.HasCompiler);
        using var fx = new Differential.LinkFixture();
        fx.SharedLib("libx.so.1.2", "int x(void){return 1;}\n", soname: "libx.so.1", extra: "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib' -lm");
        var readelf = global::NativeLinkGuard.Toolchain.ProcessRunner.Run("readelf", ["-d", fx.P("libx.so.1.2")]).StandardOutput;
        Assert.That(ElfReader.TryRead(fx.P("libx.so.1.2"), out var f, out _), Is.True);
        using (Assert.EnterMultipleScope())
        {
            foreach (var n in f!.Needed) Assert.That(readelf, Does.Contain($"(NEEDED)             Shared library: [{n}]"));
            Assert.That(f.Needed, Has.Count.EqualTo(readelf.Split('\n').Count(l => l.Contains("(NEEDED)"))));
            Assert.That(readelf, Does.Contain($"Library soname: [{f.Soname}]"));
            Assert.That(readelf, Does.Contain($"Library runpath: [{f.Runpath}]"));
        }
    }
}
