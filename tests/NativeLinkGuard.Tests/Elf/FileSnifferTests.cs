using NativeLinkGuard.Elf;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Elf;

public sealed class FileSnifferTests
{
    private static FileKind Sniff(string path, out string? error)
    {
        var kind = FileKind.Unknown;
        string? e = null;
        Assert.That(() => kind = FileSniffer.Sniff(path, out e), Throws.Nothing);
        error = e;
        return kind;
    }

    private static string WriteBytes(TempDirectory dir, string name, byte[] bytes)
    {
        string path = System.IO.Path.Combine(dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Test]
    public void Elf_archives_thin_archives_scripts_and_garbage_are_told_apart()
    {
        using var dir = new TempDirectory();
        byte[] elf = ElfTestWriter.Write(new ElfSpec()).Bytes;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sniff(WriteBytes(dir, "libe.so", elf), out var e1), Is.EqualTo(FileKind.Elf));
            Assert.That(e1, Is.Null);
            Assert.That(Sniff(dir.Write("liba.a", "!<arch>\n"), out _), Is.EqualTo(FileKind.Archive));
            Assert.That(Sniff(dir.Write("libt.a", "!<thin>\n"), out _), Is.EqualTo(FileKind.ThinArchive));
            Assert.That(Sniff(dir.Write("libs.so", "/* GNU ld script */\nGROUP ( /lib/libc.so.6 )\n"), out _), Is.EqualTo(FileKind.Text));
            Assert.That(Sniff(dir.Write("empty.so", ""), out _), Is.EqualTo(FileKind.Text));
            Assert.That(Sniff(WriteBytes(dir, "junk.so", [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]), out _), Is.EqualTo(FileKind.Unknown));
            Assert.That(Sniff(WriteBytes(dir, "short.so", [0x7f, (byte)'E', (byte)'L']), out _), Is.EqualTo(FileKind.Text));
            Assert.That(Sniff(dir.Path, out _), Is.EqualTo(FileKind.Directory));
        }
    }

    [Test]
    public void Only_the_first_64_bytes_decide_text()
    {
        var bytes = new byte[200];
        Array.Fill(bytes, (byte)'a');
        bytes[100] = 0;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(FileSniffer.Classify(bytes), Is.EqualTo(FileKind.Text));
            bytes[63] = 0;
            Assert.That(FileSniffer.Classify(bytes), Is.EqualTo(FileKind.Unknown));
        }
    }

    [Test]
    public void A_missing_file_is_missing_with_an_error()
    {
        using var dir = new TempDirectory();

        Assert.That(Sniff(System.IO.Path.Combine(dir.Path, "libnope.so"), out var error), Is.EqualTo(FileKind.Missing));
        Assert.That(error, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public void A_dangling_symbolic_link_is_missing_and_says_so()
    {
        using var dir = new TempDirectory();
        string link = System.IO.Path.Combine(dir.Path, "libd.so");
        File.CreateSymbolicLink(link, "libd.so.1");

        Assert.That(Sniff(link, out var error), Is.EqualTo(FileKind.Missing));
        Assert.That(error, Does.Contain("dangling"));
    }

    [Test]
    public void A_symbolic_link_loop_is_unreadable_with_an_error()
    {
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(System.IO.Path.Combine(dir.Path, "a.so"), "b.so");
        File.CreateSymbolicLink(System.IO.Path.Combine(dir.Path, "b.so"), "a.so");

        Assert.That(Sniff(System.IO.Path.Combine(dir.Path, "a.so"), out var error), Is.EqualTo(FileKind.Unreadable));
        Assert.That(error, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public void A_symbolic_link_to_a_library_is_the_library()
    {
        using var dir = new TempDirectory();
        WriteBytes(dir, "libl.so.1", ElfTestWriter.Write(new ElfSpec()).Bytes);
        string link = System.IO.Path.Combine(dir.Path, "libl.so");
        File.CreateSymbolicLink(link, "libl.so.1");

        Assert.That(Sniff(link, out _), Is.EqualTo(FileKind.Elf));
    }

    [Test]
    public void A_file_without_read_permission_is_unreadable()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("libp.so", "GROUP ( x )");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.None);
        // root (CI) reads a file of any mode: there a file whose read fails (EIO at offset 0) stands for it.
        if (Environment.UserName == "root") path = "/proc/self/mem";

        Assert.That(Sniff(path, out var error), Is.EqualTo(FileKind.Unreadable));
        Assert.That(error, Is.Not.Null);
    }

    [TestCase("")]
    [TestCase("a\0b")]
    public void A_bad_path_does_not_throw(string path)
    {
        Assert.That(Sniff(path, out var error), Is.EqualTo(FileKind.Missing));
        Assert.That(error, Is.Not.Null);
    }

    [Test]
    [Category("RequiresCc")]
    public void Files_made_by_gcc_and_ar_are_recognized()
    {
        Tool.RequireOnPath("gcc", "ar");
        using var dir = new TempDirectory();
        dir.Write("z.c", "int z(void) { return 0; }\n");
        Assert.That(Tool.Run(dir.Path, "gcc", "-c", "-fPIC", "z.c").ExitCode, Is.Zero);
        Assert.That(Tool.Run(dir.Path, "ar", "rcs", "libz.a", "z.o").ExitCode, Is.Zero);
        Assert.That(Tool.Run(dir.Path, "ar", "rcsT", "libzt.a", "z.o").ExitCode, Is.Zero);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sniff(System.IO.Path.Combine(dir.Path, "z.o"), out _), Is.EqualTo(FileKind.Elf));
            Assert.That(Sniff(System.IO.Path.Combine(dir.Path, "libz.a"), out _), Is.EqualTo(FileKind.Archive));
            Assert.That(Sniff(System.IO.Path.Combine(dir.Path, "libzt.a"), out _), Is.EqualTo(FileKind.ThinArchive));
        }
    }
}
