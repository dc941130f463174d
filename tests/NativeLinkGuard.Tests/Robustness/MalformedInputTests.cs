using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Scripts;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Robustness;

/// <summary>Hostile or broken input gives a typed error or a finding: never an exception, never a hang.</summary>
public sealed class MalformedInputTests
{
    private string _dir = null!;

    [SetUp]
    public void MakeDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "nlg-bad-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, true);

    private static byte[] RealLibrary() => File.ReadAllBytes(Tool.SystemFile("libm.so.6"));

    [Test]
    public void Every_truncation_of_a_real_library_is_a_typed_error_or_a_result()
    {
        var bytes = RealLibrary();
        int errors = 0;
        // Every prefix of the first 4 KiB, then coarser steps: no exception may escape.
        for (int len = 0; len < bytes.Length; len += len < 4096 ? 1 : 4093)
        {
            if (!ElfReader.TryRead(new MemoryByteSource(bytes.AsMemory(0, len)), out var f, out var e))
            {
                Assert.That(e, Is.Not.Null);
                errors++;
            }
            else
            {
                Assert.That(f, Is.Not.Null);
            }
        }
        Assert.That(errors, Is.GreaterThan(0));
        Assert.That(ElfReader.TryRead(new MemoryByteSource(bytes), out var whole, out _), Is.True);
        Assert.That(whole!.Soname, Is.EqualTo("libm.so.6"));
    }

    [Test]
    public void Random_bytes_and_mutations_never_throw()
    {
        var rng = new Random(1234);
        var real = RealLibrary().AsSpan(0, 16384).ToArray();
        for (int i = 0; i < 3000; i++)
        {
            byte[] b;
            if (i % 2 == 0)
            {
                b = new byte[rng.Next(0, 512)];
                rng.NextBytes(b);
                if (b.Length > 4) { b[0] = 0x7f; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F'; }
            }
            else
            {
                b = (byte[])real.Clone();
                for (int k = 0; k < 8; k++) b[rng.Next(0, 128 + (k * 512 % b.Length))] = (byte)rng.Next(256);
            }
            Assert.DoesNotThrow(() => ElfReader.TryRead(new MemoryByteSource(b), out _, out _));
        }
    }

    [Test]
    public void Offsets_past_the_end_are_reported_as_truncated()
    {
        var b = RealLibrary().AsSpan(0, 64).ToArray();
        BitConverter.TryWriteBytes(b.AsSpan(32), ulong.MaxValue - 8); // e_phoff near the top of the address space
        Assert.That(ElfReader.TryRead(new MemoryByteSource(b), out _, out var e), Is.False);
        Assert.That(e!.Kind, Is.AnyOf(ElfReadErrorKind.Truncated, ElfReadErrorKind.Malformed));
    }

    [Test]
    public void Symlink_loop_and_unreadable_file_are_clean_errors()
    {
        string loop = Path.Combine(_dir, "libloop.so");
        File.CreateSymbolicLink(loop, loop);
        Assert.That(ElfReader.TryRead(loop, out _, out var e1), Is.False);
        Assert.That(e1!.Kind, Is.EqualTo(ElfReadErrorKind.IoError));
        Assert.That(ArchiveReader.TryReadFirstMember(loop, out _, out _), Is.False);
    }

    [Test]
    public void Unterminated_linker_script_constructs_are_errors_with_lines()
    {
        Assert.That(LinkerScriptParser.Parse("GROUP ( libc.so.6\n").Error, Is.Not.Null);
        Assert.That(LinkerScriptParser.Parse("/* comment\nGROUP ( a )").Error!.Line, Is.EqualTo(1));
        Assert.That(LinkerScriptParser.Parse("INPUT ( \"a b").Error, Is.Not.Null);
        Assert.That(LinkerScriptParser.Parse("\u0001\u0002garbage").Error, Is.Not.Null);
        Assert.That(LinkerScriptParser.Parse("INCLUDE self", _ => "INCLUDE self").Error!.Message, Does.Contain("deep"));
    }

    [Test]
    public void Real_libc_script_is_read()
    {
        string libc = Tool.SystemFile("libc.so");
        var s = LinkerScriptParser.Parse(File.ReadAllText(libc));
        Assert.That(s.Error, Is.Null);
        Assert.That(s.OutputFormat, Is.EqualTo("elf64-x86-64"));
        Assert.That(s.Inputs.Select(i => i.Name), Has.Some.EndsWith("libc.so.6"));
        Assert.That(s.Inputs.Single(i => i.Name.Contains("ld-linux")).AsNeeded, Is.True);
    }

    [Test]
    public void Self_including_response_file_stops_with_a_diagnostic()
    {
        File.WriteAllText(Path.Combine(_dir, "a.rsp"), "-lfoo @a.rsp");
        var diags = new List<ResponseFileDiagnostic>();
        var args = ResponseFiles.Expand(["gcc", "@a.rsp"], _dir, diags);
        Assert.That(diags, Has.Count.EqualTo(1));
        Assert.That(args, Has.Count.LessThanOrEqualTo(ResponseFiles.MaxExpansions + 2));
    }

    [Test]
    public void Unterminated_quote_in_a_response_file_runs_to_the_end_as_libiberty_does()
    {
        File.WriteAllText(Path.Combine(_dir, "q.rsp"), "-L'dir -lfoo");
        var diags = new List<ResponseFileDiagnostic>();
        var args = ResponseFiles.Expand(["gcc", "@q.rsp", "@missing.rsp"], _dir, diags);
        Assert.That(args, Is.EqualTo(new[] { "gcc", "-Ldir -lfoo", "@missing.rsp" }), "an unreadable @file stays literal");
    }

    [Test]
    public void Ld_so_conf_include_cycle_is_a_diagnostic()
    {
        File.WriteAllText(Path.Combine(_dir, "ld.so.conf"), "include ld.so.conf\n/opt/a/ # dir\n/opt/b=hwcap\n");
        var r = LdSoConfReader.Read(Path.Combine(_dir, "ld.so.conf"), "/S");
        Assert.That(r.Directories, Is.EqualTo(new[] { "/S/opt/a", "/S/opt/b" }));
        Assert.That(r.Diagnostics, Has.Some.Contains("cycle"));
    }

    [Test]
    public void Check_of_a_link_against_a_garbage_library_is_a_finding()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new Differential.LinkFixture();
        fx.Write("build/libbad.so", "");
        File.WriteAllBytes(fx.P("build/libbad.so"), [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0]);
        fx.Write("main.c", "int main(void){return 0;}\n");
        fx.Sh("gcc -c main.c");
        var real = fx.RealLink(["gcc", "-o", "app", "main.o", "-Lbuild", "-lbad"]);
        var report = fx.Check(["gcc", "-o", "app", "main.o", "-Lbuild", "-lbad"]);
        Assert.That(real.Succeeded, Is.False);
        Assert.That(report.PredictedOutcome, Is.EqualTo(global::NativeLinkGuard.Diagnostics.PredictedOutcome.Fails));
        Assert.That(report.Findings.Single().Code, Is.EqualTo("NLG0014"));
    }

    [Test]
    public void Symbol_reader_survives_truncation_and_mutation_and_reads_a_real_library()
    {
        var bytes = RealLibrary();
        Assert.That(SymbolReader.TryRead(new MemoryByteSource(bytes), out var syms, out var err), Is.True, err?.ToString());
        Assert.That(syms!.Defined, Does.Contain("cos"));
        var rng = new Random(99);
        for (int i = 0; i < 2000; i++)
        {
            var b = (byte[])bytes.Clone();
            int cut = rng.Next(0, 2) == 0 ? rng.Next(0, b.Length) : b.Length;
            for (int k = 0; k < 6; k++) b[rng.Next(0, 64)] = (byte)rng.Next(256);
            // Also hit the section-header table at the end of the file.
            for (int k = 0; k < 6; k++) b[b.Length - 1 - rng.Next(0, 4096)] = (byte)rng.Next(256);
            Assert.DoesNotThrow(() => SymbolReader.TryRead(new MemoryByteSource(b.AsMemory(0, cut)), out _, out _));
        }
    }
}
