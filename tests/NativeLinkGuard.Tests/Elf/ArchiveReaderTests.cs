using System.Text;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Elf;

public sealed class ArchiveReaderTests
{
    /// <summary>A GNU ar member header: name(16) date(12) uid(6) gid(6) mode(8) size(10) "`\n".</summary>
    private static byte[] Header(string name, string size) =>
        Encoding.ASCII.GetBytes($"{name,-16}{"0",-12}{"0",-6}{"0",-6}{"644",-8}{size,-10}`\n");

    private static byte[] Archive(params (string Name, byte[] Data)[] members)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("!<arch>\n"));
        foreach (var (name, data) in members)
        {
            bytes.AddRange(Header(name, data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            bytes.AddRange(data);
            if (data.Length % 2 == 1) bytes.Add((byte)'\n');
        }
        return [.. bytes];
    }

    private static string WriteBytes(TempDirectory dir, string name, byte[] bytes)
    {
        string path = System.IO.Path.Combine(dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static ElfReadError Invalid(string path)
    {
        bool ok = true;
        ElfFile? first = null;
        ElfReadError? error = null;
        Assert.That(() => ok = ArchiveReader.TryReadFirstMember(path, out first, out error), Throws.Nothing);
        Assert.That(ok, Is.False, () => $"expected an error, got {first}");
        Assert.That(first, Is.Null);
        Assert.That(error, Is.Not.Null);
        return error!;
    }

    private static ElfFile Valid(string path)
    {
        Assert.That(ArchiveReader.TryReadFirstMember(path, out var first, out var error), Is.True, () => error!.ToString());
        return first!;
    }

    private static byte[] Object(ushort machine, ElfClass cls = ElfClass.Elf64) =>
        ElfTestWriter.Write(new ElfSpec { Class = cls, Machine = machine, Type = ElfType.Relocatable, PtDynamic = false, SectionHeaders = false }).Bytes;

    [Test]
    public void The_symbol_index_and_long_name_table_are_skipped_to_reach_the_first_object()
    {
        using var dir = new TempDirectory();
        string path = WriteBytes(dir, "liba.a", Archive(
            ("/", new byte[] { 0, 0, 0, 0, 1 }),
            ("/SYM64/", new byte[8]),
            ("//", Encoding.ASCII.GetBytes("a_very_long_member_name.o/\n")),
            ("/0", Object(ElfMachines.AArch64)),
            ("b.o/", Object(ElfMachines.X86_64))));

        var first = Valid(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Machine, Is.EqualTo(ElfMachines.AArch64));
            Assert.That(first.Type, Is.EqualTo(ElfType.Relocatable));
        }
    }

    [Test]
    public void A_bsd_symbol_table_is_skipped()
    {
        using var dir = new TempDirectory();
        string path = WriteBytes(dir, "libb.a", Archive(("__.SYMDEF SORTED", new byte[4]), ("x.o/", Object(ElfMachines.X86, ElfClass.Elf32))));

        Assert.That(Valid(path).Class, Is.EqualTo(ElfClass.Elf32));
    }

    [Test]
    public void Only_the_first_object_member_counts_as_in_bfd()
    {
        using var dir = new TempDirectory();
        string path = WriteBytes(dir, "libc.a", Archive(("README/", "hello\n"u8.ToArray()), ("x.o/", Object(ElfMachines.X86_64))));

        Assert.That(Invalid(path).Kind, Is.EqualTo(ElfReadErrorKind.NotElf));
    }

    [Test]
    public void An_empty_archive_has_no_first_member()
    {
        using var dir = new TempDirectory();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Invalid(WriteBytes(dir, "e.a", Archive())).Kind, Is.EqualTo(ElfReadErrorKind.NotElf));
            Assert.That(Invalid(WriteBytes(dir, "s.a", Archive(("/", new byte[4])))).Kind, Is.EqualTo(ElfReadErrorKind.NotElf));
        }
    }

    [Test]
    public void A_file_that_is_not_an_archive_is_not_elf()
    {
        using var dir = new TempDirectory();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Invalid(dir.Write("t.a", "GROUP ( x )")).Kind, Is.EqualTo(ElfReadErrorKind.NotElf));
            Assert.That(Invalid(dir.Write("short.a", "!<ar")).Kind, Is.EqualTo(ElfReadErrorKind.NotElf));
            Assert.That(Invalid(System.IO.Path.Combine(dir.Path, "missing.a")).Kind, Is.EqualTo(ElfReadErrorKind.IoError));
            Assert.That(Invalid(dir.Path).Kind, Is.EqualTo(ElfReadErrorKind.IoError));
            Assert.That(Invalid("").Kind, Is.EqualTo(ElfReadErrorKind.IoError));
        }
    }

    [Test]
    public void A_truncated_member_header_is_truncated()
    {
        using var dir = new TempDirectory();
        byte[] full = Archive(("x.o/", Object(ElfMachines.X86_64)));

        Assert.That(Invalid(WriteBytes(dir, "t.a", full[..40])).Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [TestCase("abc")]
    [TestCase("-12")]
    [TestCase("")]
    [TestCase("1 2")]
    [TestCase("0x10")]
    public void A_non_numeric_member_size_is_malformed(string size)
    {
        using var dir = new TempDirectory();
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("!<arch>\n"));
        bytes.AddRange(Header("x.o/", size));
        bytes.AddRange(Object(ElfMachines.X86_64));

        Assert.That(Invalid(WriteBytes(dir, "n.a", [.. bytes])).Kind, Is.EqualTo(ElfReadErrorKind.Malformed));
    }

    [TestCase("9999999999")]
    [TestCase("4096")]
    public void A_member_size_past_the_end_of_the_file_is_truncated(string size)
    {
        using var dir = new TempDirectory();
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("!<arch>\n"));
        bytes.AddRange(Header("/", size));
        bytes.AddRange(new byte[8]);

        Assert.That(Invalid(WriteBytes(dir, "b.a", [.. bytes])).Kind, Is.EqualTo(ElfReadErrorKind.Truncated));
    }

    [Test]
    public void A_bad_header_terminator_is_malformed()
    {
        using var dir = new TempDirectory();
        byte[] bytes = Archive(("x.o/", Object(ElfMachines.X86_64)));
        bytes[8 + 58] = (byte)'X';

        Assert.That(Invalid(WriteBytes(dir, "m.a", bytes)).Kind, Is.EqualTo(ElfReadErrorKind.Malformed));
    }

    [Test]
    public void Every_prefix_and_random_mutation_of_an_archive_gives_a_result_or_an_error()
    {
        using var dir = new TempDirectory();
        byte[] full = Archive(("/", new byte[] { 0, 0, 0, 0 }), ("//", "long_name_here.o/\n"u8.ToArray()), ("/0", Object(ElfMachines.X86_64)));
        string path = System.IO.Path.Combine(dir.Path, "f.a");
        var random = new Random(77);
        var inputs = Enumerable.Range(0, full.Length).Select(n => full[..n]).ToList();
        for (int i = 0; i < 2000; i++)
        {
            var m = (byte[])full.Clone();
            m[random.Next(m.Length)] = (byte)random.Next(256);
            inputs.Add(m);
        }

        foreach (byte[] input in inputs)
        {
            File.WriteAllBytes(path, input);
            bool ok = false;
            ElfFile? first = null;
            ElfReadError? error = null;
            Assert.That(() => ok = ArchiveReader.TryReadFirstMember(path, out first, out error), Throws.Nothing, Convert.ToHexString(input));
            Assert.That(ok ? first is not null && error is null : first is null && error is not null, Is.True);
        }
    }

    [Test]
    public void A_thin_archive_member_is_read_from_its_path_next_to_the_archive()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "obj"));
        WriteBytes(dir, "obj/some_long_object_name.o", Object(ElfMachines.RiscV));
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("!<thin>\n"));
        byte[] names = "obj/some_long_object_name.o/\n"u8.ToArray();
        bytes.AddRange(Header("//", names.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        bytes.AddRange(names);
        if (names.Length % 2 == 1) bytes.Add((byte)'\n');
        bytes.AddRange(Header("/0", "999")); // the size of the external file; no data follows in a thin archive
        string path = WriteBytes(dir, "libthin.a", [.. bytes]);

        Assert.That(Valid(path).Machine, Is.EqualTo(ElfMachines.RiscV));
    }

    [Test]
    public void A_thin_archive_whose_member_is_gone_reports_the_member()
    {
        using var dir = new TempDirectory();
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("!<thin>\n"));
        bytes.AddRange(Header("gone.o/", "100"));
        string path = WriteBytes(dir, "libgone.a", [.. bytes]);

        var error = Invalid(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Kind, Is.EqualTo(ElfReadErrorKind.IoError));
            Assert.That(error.Message, Does.Contain("gone.o"));
        }
    }

    private static void Compile(TempDirectory dir, string name, string flags = "")
    {
        dir.Write(name + ".c", $"int {name}_f(void) {{ return 1; }}\n");
        var args = new List<string> { "-c", "-fPIC", name + ".c", "-o", name + ".o" };
        if (flags.Length > 0) args.Insert(0, flags);
        var (code, output) = Tool.Run(dir.Path, "gcc", [.. args]);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    [Category("RequiresCc")]
    public void An_archive_made_by_ar_gives_its_first_object()
    {
        Tool.RequireOnPath("gcc", "ar");
        using var dir = new TempDirectory();
        Compile(dir, "a");
        Compile(dir, "a_member_with_a_long_name");
        Assert.That(Tool.Run(dir.Path, "ar", "rcs", "liba.a", "a_member_with_a_long_name.o", "a.o").ExitCode, Is.Zero);

        var first = Valid(System.IO.Path.Combine(dir.Path, "liba.a"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Class, Is.EqualTo(ElfClass.Elf64));
            Assert.That(first.Machine, Is.EqualTo(ElfMachines.X86_64));
            Assert.That(first.Type, Is.EqualTo(ElfType.Relocatable));
            Assert.That(first.HasDynamicSection, Is.False);
        }
    }

    [Test]
    [Category("RequiresCc")]
    public void A_thin_archive_made_by_ar_gives_its_first_object_from_disk()
    {
        Tool.RequireOnPath("gcc", "ar");
        using var dir = new TempDirectory();
        Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "lib"));
        Compile(dir, "a_member_with_a_long_name");
        Assert.That(Tool.Run(dir.Path, "ar", "rcsT", "lib/libthin.a", "a_member_with_a_long_name.o").ExitCode, Is.Zero);

        var first = Valid(System.IO.Path.Combine(dir.Path, "lib", "libthin.a"));

        Assert.That(first.Machine, Is.EqualTo(ElfMachines.X86_64));
    }

    [Test]
    [Category("RequiresCc")]
    public void A_32_bit_archive_made_by_ar_is_told_apart_from_a_64_bit_one()
    {
        Tool.RequireOnPath("gcc", "ar");
        using var dir = new TempDirectory();
        dir.Write("m.c", "int m(void) { return 1; }\n");
        var (code, output) = Tool.Run(dir.Path, "gcc", "-m32", "-c", "m.c");
        Assert.That(code, Is.Zero, "gcc -m32 -c needs no multilib: " + output);
        Assert.That(Tool.Run(dir.Path, "ar", "rcs", "libm32.a", "m.o").ExitCode, Is.Zero);

        Assert.That(Valid(System.IO.Path.Combine(dir.Path, "libm32.a")).Class, Is.EqualTo(ElfClass.Elf32));
    }
}
