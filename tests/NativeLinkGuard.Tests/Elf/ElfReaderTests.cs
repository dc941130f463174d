using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Tests.Elf;

public sealed class ElfReaderTests
{
    private static readonly (ElfClass Class, ElfData Data)[] AllLayouts =
    [
        (ElfClass.Elf32, ElfData.LittleEndian),
        (ElfClass.Elf32, ElfData.BigEndian),
        (ElfClass.Elf64, ElfData.LittleEndian),
        (ElfClass.Elf64, ElfData.BigEndian),
    ];

    private static IEnumerable<TestCaseData> Layouts() =>
        AllLayouts.Select(l => new TestCaseData(l.Class, l.Data).SetArgDisplayNames($"{l.Class}", $"{l.Data}"));

    private static ElfSpec Typical(ElfClass cls, ElfData data) => new()
    {
        Class = cls,
        Data = data,
        Soname = "libx.so.1",
        Needed = ["libm.so.6", "libc.so.6"],
        Runpath = "$ORIGIN/../lib",
        Flags = 0x8,
        Flags1 = 0x8000001,
    };

    private static ElfFile ReadValid(byte[] bytes)
    {
        bool ok = ElfReader.TryRead(new MemoryByteSource(bytes), out var file, out var error);
        Assert.That(ok, Is.True, () => $"expected a valid image, got: {error}");
        Assert.That(file, Is.Not.Null);
        return file!;
    }

    private static ElfReadError ReadInvalid(byte[] bytes)
    {
        bool ok = ElfReader.TryRead(new MemoryByteSource(bytes), out var file, out var error);
        Assert.That(ok, Is.False, () => $"expected an error, got: {file}");
        Assert.That(file, Is.Null);
        Assert.That(error, Is.Not.Null);
        return error!;
    }

    /// <summary>Either a result or an error, consistently, and never an exception.</summary>
    private static void AssertGivesResultOrError(byte[] bytes, string what)
    {
        bool ok;
        ElfFile? file;
        ElfReadError? error;
        try
        {
            ok = ElfReader.TryRead(new MemoryByteSource(bytes), out file, out error);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} escaped the reader: {e.Message}\n{Convert.ToHexString(bytes)}");
            return;
        }
        if (ok ? file is null || error is not null : file is not null || error is null)
            Assert.Fail($"{what}: inconsistent result ok={ok} file={file} error={error}");
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_shared_object_round_trips_in_every_class_and_byte_order(ElfClass cls, ElfData data)
    {
        var file = ReadValid(ElfTestWriter.Write(Typical(cls, data)).Bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.Class, Is.EqualTo(cls));
            Assert.That(file.Data, Is.EqualTo(data));
            Assert.That(file.Type, Is.EqualTo(ElfType.SharedObject));
            Assert.That(file.IsSharedObject, Is.True);
            Assert.That(file.Machine, Is.EqualTo(ElfMachines.X86_64));
            Assert.That(file.HasDynamicSection, Is.True);
            Assert.That(file.Soname, Is.EqualTo("libx.so.1"));
            Assert.That(file.Needed, Is.EqualTo(new[] { "libm.so.6", "libc.so.6" }));
            Assert.That(file.Rpath, Is.Null);
            Assert.That(file.Runpath, Is.EqualTo("$ORIGIN/../lib"));
            Assert.That(file.Flags, Is.EqualTo(0x8UL));
            Assert.That(file.Flags1, Is.EqualTo(0x8000001UL));
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_single_load_segment_covering_the_file_maps_the_string_table_too(ElfClass cls, ElfData data)
    {
        var file = ReadValid(ElfTestWriter.Write(Typical(cls, data) with { SingleLoad = true }).Bytes);

        Assert.That(file.Needed, Is.EqualTo(new[] { "libm.so.6", "libc.so.6" }));
    }

    [Test]
    public void Machine_type_and_osabi_are_reported_as_written()
    {
        var spec = Typical(ElfClass.Elf64, ElfData.BigEndian) with { Machine = ElfMachines.AArch64, Type = ElfType.Executable, OsAbi = 3 };

        var file = ReadValid(ElfTestWriter.Write(spec).Bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.Machine, Is.EqualTo(ElfMachines.AArch64));
            Assert.That(file.Type, Is.EqualTo(ElfType.Executable));
            Assert.That(file.IsSharedObject, Is.False);
            Assert.That(file.OsAbi, Is.EqualTo((byte)3));
            Assert.That(file.TargetName, Is.EqualTo("elf64-bigaarch64"));
        }
    }

    [Test]
    public void Files_differing_in_class_machine_or_byte_order_are_incompatible()
    {
        var x64 = ReadValid(ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.LittleEndian)).Bytes);
        var x32 = ReadValid(ElfTestWriter.Write(Typical(ElfClass.Elf32, ElfData.LittleEndian)).Bytes);
        var arm = ReadValid(ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.LittleEndian) with { Machine = ElfMachines.AArch64 }).Bytes);
        var be = ReadValid(ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.BigEndian)).Bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(x64.IsCompatibleWith(x64 with { Soname = "other" }), Is.True);
            Assert.That(x64.IsCompatibleWith(x32), Is.False);
            Assert.That(x64.IsCompatibleWith(arm), Is.False);
            Assert.That(x64.IsCompatibleWith(be), Is.False);
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void Rpath_and_runpath_are_both_read_when_both_are_present(ElfClass cls, ElfData data)
    {
        var spec = Typical(cls, data) with { Rpath = "/opt/old/lib", Runpath = "$ORIGIN:/opt/new/lib" };

        var file = ReadValid(ElfTestWriter.Write(spec).Bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.Rpath, Is.EqualTo("/opt/old/lib"));
            Assert.That(file.Runpath, Is.EqualTo("$ORIGIN:/opt/new/lib"));
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void Without_pt_dynamic_the_dynamic_section_header_is_used(ElfClass cls, ElfData data)
    {
        var file = ReadValid(ElfTestWriter.Write(Typical(cls, data) with { PtDynamic = false }).Bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.HasDynamicSection, Is.True);
            Assert.That(file.Soname, Is.EqualTo("libx.so.1"));
            Assert.That(file.Needed, Is.EqualTo(new[] { "libm.so.6", "libc.so.6" }));
            Assert.That(file.Runpath, Is.EqualTo("$ORIGIN/../lib"));
        }
    }

    [Test]
    public void The_section_fallback_does_not_need_dt_strtab_to_map()
    {
        // The fallback takes the string table from sh_link, so a DT_STRTAB that maps nowhere does not matter.
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { PtDynamic = false, StrtabAddressDelta = 0x1_0000_0000 };

        Assert.That(ReadValid(ElfTestWriter.Write(spec).Bytes).Soname, Is.EqualTo("libx.so.1"));
    }

    [Test]
    public void Pt_dynamic_wins_over_the_section_headers()
    {
        // Break the section headers' offsets: PT_DYNAMIC is found first, so they are never looked at.
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { ShoffOverride = ulong.MaxValue - 8 };

        Assert.That(ReadValid(ElfTestWriter.Write(spec).Bytes).Soname, Is.EqualTo("libx.so.1"));
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_file_without_dynamic_section_reads_as_having_none(ElfClass cls, ElfData data)
    {
        var spec = Typical(cls, data) with { PtDynamic = false, SectionHeaders = false, Type = ElfType.Relocatable };

        var file = ReadValid(ElfTestWriter.Write(spec).Bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.HasDynamicSection, Is.False);
            Assert.That(file.Needed, Is.Empty);
            Assert.That(file.Soname, Is.Null);
            Assert.That(file.Type, Is.EqualTo(ElfType.Relocatable));
        }
    }

    [Test]
    public void A_file_with_neither_program_nor_section_headers_has_no_dynamic_section()
    {
        var spec = Typical(ElfClass.Elf32, ElfData.BigEndian) with { ProgramHeaders = false, SectionHeaders = false };

        Assert.That(ReadValid(ElfTestWriter.Write(spec).Bytes).HasDynamicSection, Is.False);
    }

    [Test]
    public void A_dynamic_section_without_dt_null_ends_at_the_segment_size()
    {
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { DtNull = false };

        var file = ReadValid(ElfTestWriter.Write(spec).Bytes);

        Assert.That(file.Needed, Is.EqualTo(new[] { "libm.so.6", "libc.so.6" }));
    }

    [Test]
    public void Entries_after_dt_null_are_ignored()
    {
        var image = ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.LittleEndian) with
        {
            ExtraDynamic = [(ElfTestWriter.DT_NULL, 0), (ElfTestWriter.DT_NEEDED, 10_000)],
        });

        Assert.That(ReadValid(image.Bytes).Needed, Has.Count.EqualTo(2));
    }

    [Test]
    public void Only_the_first_soname_counts()
    {
        var image = ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.LittleEndian) with
        {
            Needed = ["libfirst.so", "libsecond.so"],
            Soname = null,
            ExtraDynamic = [(ElfTestWriter.DT_SONAME, 1), (ElfTestWriter.DT_SONAME, 13)],
        });

        Assert.That(ReadValid(image.Bytes).Soname, Is.EqualTo("libfirst.so"));
    }

    // ---- Malformed input: every case gives an error (or a result), never an exception. ----

    [TestCaseSource(nameof(Layouts))]
    public void Every_prefix_of_a_valid_image_gives_a_result_or_an_error(ElfClass cls, ElfData data)
    {
        byte[] full = ElfTestWriter.Write(Typical(cls, data) with { Rpath = "/r" }).Bytes;
        for (int n = 0; n < full.Length; n++)
            AssertGivesResultOrError(full[..n], $"prefix of {n} bytes");

        // The last bytes are section headers PT_DYNAMIC never needs; the header and dynamic data are needed.
        Assert.That(ElfReader.TryRead(new MemoryByteSource(full[..15]), out _, out var e15), Is.False);
        Assert.That(e15!.Kind, Is.EqualTo(ElfReadErrorKind.NotElf));
        Assert.That(ElfReader.TryRead(new MemoryByteSource(full[..40]), out _, out var e40), Is.False);
        Assert.That(e40!.Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [Test]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20240601);
        for (int i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 512)];
            random.NextBytes(bytes);
            if (bytes.Length >= 6 && random.Next(2) == 0)
            {
                // Give most of them a valid identification so the parser gets past the magic.
                bytes[0] = 0x7f; bytes[1] = (byte)'E'; bytes[2] = (byte)'L'; bytes[3] = (byte)'F';
                bytes[4] = (byte)random.Next(1, 3); bytes[5] = (byte)random.Next(1, 3);
            }
            AssertGivesResultOrError(bytes, $"random input {i}");
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void Random_mutations_of_a_valid_image_never_throw(ElfClass cls, ElfData data)
    {
        var random = new Random(1234 + (int)cls * 10 + (int)data);
        foreach (bool ptDynamic in new[] { true, false })
        {
            byte[] valid = ElfTestWriter.Write(Typical(cls, data) with { Rpath = "/r", PtDynamic = ptDynamic }).Bytes;
            for (int i = 0; i < 10_000; i++)
            {
                var bytes = (byte[])valid.Clone();
                int mutations = random.Next(1, 4);
                for (int m = 0; m < mutations; m++)
                    bytes[random.Next(bytes.Length)] = random.Next(4) switch { 0 => 0xff, 1 => 0, 2 => 0x80, _ => (byte)random.Next(256) };
                AssertGivesResultOrError(bytes, $"mutation {i}");
            }
        }
    }

    [Test]
    public void Every_single_byte_set_to_each_interesting_value_never_throws()
    {
        foreach (var (cls, data) in AllLayouts)
        {
            byte[] valid = ElfTestWriter.Write(Typical(cls, data) with { PtDynamic = false }).Bytes;
            byte[] valid2 = ElfTestWriter.Write(Typical(cls, data)).Bytes;
            foreach (byte[] image in new[] { valid, valid2 })
                for (int at = 0; at < image.Length; at++)
                    foreach (byte v in new byte[] { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff })
                    {
                        var bytes = (byte[])image.Clone();
                        bytes[at] = v;
                        AssertGivesResultOrError(bytes, $"{cls} {data} byte {at} = {v:x2}");
                    }
        }
    }

    [Test]
    public void Bad_magic_is_not_elf()
    {
        byte[] bytes = ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.LittleEndian)).Bytes;
        bytes[1] = (byte)'X';

        Assert.That(ReadInvalid(bytes).Kind, Is.EqualTo(ElfReadErrorKind.NotElf));
    }

    [TestCase(4, (byte)0)]
    [TestCase(4, (byte)3)]
    [TestCase(5, (byte)0)]
    [TestCase(5, (byte)9)]
    public void An_invalid_class_or_data_encoding_is_malformed(int at, byte value)
    {
        byte[] bytes = ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.LittleEndian)).Bytes;
        bytes[at] = value;

        Assert.That(ReadInvalid(bytes).Kind, Is.EqualTo(ElfReadErrorKind.Malformed));
    }

    [TestCaseSource(nameof(Layouts))]
    public void Program_headers_past_the_end_are_truncated(ElfClass cls, ElfData data)
    {
        var image = ElfTestWriter.Write(Typical(cls, data));
        var spec = Typical(cls, data) with { PhoffOverride = (ulong)image.Bytes.Length - 8 };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [TestCaseSource(nameof(Layouts))]
    public void Section_headers_past_the_end_are_truncated_when_they_are_needed(ElfClass cls, ElfData data)
    {
        var spec = Typical(cls, data) with { PtDynamic = false, ShoffOverride = 100_000 };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [TestCase(ulong.MaxValue)]
    [TestCase(ulong.MaxValue - 55)]
    [TestCase(0x8000_0000_0000_0000UL)]
    [TestCase(0x7fff_ffff_ffff_fff0UL)]
    public void Program_header_offsets_near_the_top_of_the_range_do_not_overflow(ulong phoff)
    {
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { PhoffOverride = phoff };

        ReadInvalid(ElfTestWriter.Write(spec).Bytes);
    }

    [TestCase(ulong.MaxValue)]
    [TestCase(ulong.MaxValue - 63)]
    [TestCase(0x7fff_ffff_ffff_fff0UL)]
    public void Section_header_offsets_near_the_top_of_the_range_do_not_overflow(ulong shoff)
    {
        var spec = Typical(ElfClass.Elf64, ElfData.BigEndian) with { PtDynamic = false, ShoffOverride = shoff };

        ReadInvalid(ElfTestWriter.Write(spec).Bytes);
    }

    [TestCase(ulong.MaxValue)]
    [TestCase(ulong.MaxValue - 15)]
    [TestCase(0x7fff_ffff_ffff_fff8UL)]
    public void Dynamic_offsets_near_the_top_of_the_range_do_not_overflow(ulong offset)
    {
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { DynamicOffsetOverride = offset };

        ReadInvalid(ElfTestWriter.Write(spec).Bytes);
    }

    [TestCase(ulong.MaxValue)]
    [TestCase(0x7fff_ffff_ffff_fff0UL)]
    public void A_huge_dynamic_size_is_bounded_and_reported(ulong size)
    {
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { DynamicSizeOverride = size };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_huge_program_header_count_is_refused(ElfClass cls, ElfData data)
    {
        var spec = Typical(cls, data) with { PhnumOverride = ushort.MaxValue };

        ReadInvalid(ElfTestWriter.Write(spec).Bytes);
    }

    [Test]
    public void A_large_program_header_table_is_range_checked_before_it_is_allocated()
    {
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { PhnumOverride = 4096, PhentsizeOverride = ushort.MaxValue };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_section_header_table_whose_size_overflows_int_is_an_error(ElfClass cls, ElfData data)
    {
        // 65535 * 65535 bytes: more than int.MaxValue.
        var spec = Typical(cls, data) with { PtDynamic = false, ShnumOverride = ushort.MaxValue, ShentsizeOverride = ushort.MaxValue };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [Test]
    public void A_too_small_program_header_entry_size_is_malformed()
    {
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { PhentsizeOverride = 8 };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Kind, Is.EqualTo(ElfReadErrorKind.Malformed));
    }

    [TestCaseSource(nameof(Layouts))]
    public void Dt_strtab_outside_every_load_segment_is_malformed(ElfClass cls, ElfData data)
    {
        var spec = Typical(cls, data) with { StrtabAddressDelta = 0x1000_0000 };

        var error = ReadInvalid(ElfTestWriter.Write(spec).Bytes);

        Assert.That(error.Message, Does.Contain("DT_STRTAB"));
    }

    [Test]
    public void Dt_strtab_is_mapped_through_the_segment_that_contains_it_not_the_first()
    {
        // With the first segment's vaddr - offset, the address would land past the end of the file.
        var image = ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.LittleEndian));
        Assert.That(image.StrtabAddress - 0x400000, Is.GreaterThan((ulong)image.Bytes.Length));

        Assert.That(ReadValid(image.Bytes).Soname, Is.EqualTo("libx.so.1"));
    }

    [Test]
    public void String_tags_without_dt_strtab_are_malformed()
    {
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { DtStrtab = false };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Message, Does.Contain("DT_STRTAB"));
    }

    [Test]
    public void A_string_table_mapped_past_the_end_of_the_file_is_truncated()
    {
        // A PT_LOAD may claim more than the file holds; the DT_STRTAB address then maps past the end.
        var image = ElfTestWriter.Write(Typical(ElfClass.Elf64, ElfData.LittleEndian) with { SingleLoad = true, StrtabAddressDelta = 0x8_0000 });
        byte[] bytes = ElfTestWriter.Patch(image.Bytes, ElfData.LittleEndian, image.PhOffset + 32, 0x10_0000, 8); // p_filesz

        AssertGivesResultOrError(bytes, "strtab past the end");
        Assert.That(ReadInvalid(bytes).Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [TestCaseSource(nameof(Layouts))]
    public void A_string_index_past_dt_strsz_is_malformed(ElfClass cls, ElfData data)
    {
        var spec = Typical(cls, data) with { ExtraDynamic = [(ElfTestWriter.DT_NEEDED, 5000)] };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Message, Does.Contain("DT_STRSZ"));
    }

    [Test]
    public void A_huge_dt_strsz_does_not_overflow_the_string_bound()
    {
        var spec = Typical(ElfClass.Elf64, ElfData.LittleEndian) with { StrszOverride = ulong.MaxValue };

        Assert.That(ReadValid(ElfTestWriter.Write(spec).Bytes).Soname, Is.EqualTo("libx.so.1"));
    }

    [TestCaseSource(nameof(Layouts))]
    public void An_unterminated_string_is_malformed(ElfClass cls, ElfData data)
    {
        var spec = Typical(cls, data) with { UnterminatedLastString = true };

        Assert.That(ReadInvalid(ElfTestWriter.Write(spec).Bytes).Message, Does.Contain("unterminated"));
    }

    [Test]
    public void A_dynamic_section_link_past_the_section_count_is_malformed()
    {
        var image = ElfTestWriter.Write(Typical(ElfClass.Elf32, ElfData.BigEndian) with { PtDynamic = false });
        byte[] bytes = ElfTestWriter.Patch(image.Bytes, ElfData.BigEndian, image.ShOffset + 2 * 40 + 24, 77, 4); // sh_link

        Assert.That(ReadInvalid(bytes).Kind, Is.EqualTo(ElfReadErrorKind.Malformed));
    }

    [Test]
    public void Missing_files_directories_and_bad_paths_are_io_errors()
    {
        using var dir = new TestSupport.TempDirectory();
        foreach (string path in new[] { System.IO.Path.Combine(dir.Path, "nope.so"), dir.Path, "", "a\0b" })
        {
            Assert.That(ElfReader.TryRead(path, out var file, out var error), Is.False, path);
            Assert.That(file, Is.Null);
            Assert.That(error!.Kind, Is.EqualTo(ElfReadErrorKind.IoError));
        }
    }

    [Test]
    public void A_synthesized_image_reads_the_same_from_a_file()
    {
        using var dir = new TestSupport.TempDirectory();
        string path = System.IO.Path.Combine(dir.Path, "libx.so");
        byte[] bytes = ElfTestWriter.Write(Typical(ElfClass.Elf32, ElfData.BigEndian)).Bytes;
        File.WriteAllBytes(path, bytes);

        Assert.That(ElfReader.TryRead(path, out var file, out _), Is.True);
        var expected = ReadValid(bytes);
        Assert.That(file! with { Needed = [] }, Is.EqualTo(expected with { Needed = [] }));
        Assert.That(file.Needed, Is.EqualTo(expected.Needed));
    }
}
