using System.Buffers.Binary;
using System.Text.RegularExpressions;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Symbols;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Symbols;

/// <summary>
/// Corrupt symbol, hash, version and archive tables: each is a typed error (never an exception escaping, never a hang),
/// and a link that meets one gets a finding instead of a crash.
/// </summary>
[Category("RequiresCc")]
public sealed partial class MalformedSymbolTableTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void MakeDir() => _dir = new TempDirectory();

    [TearDown]
    public void RemoveDir() => _dir.Dispose();

    private string P(string relative) => Path.Combine(_dir.Path, relative);

    private void Sh(string command)
    {
        var (code, output) = Tool.Run(_dir.Path, "sh", "-c", command);
        Assert.That(code, Is.Zero, output);
    }

    [GeneratedRegex(@"\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)")]
    private static partial Regex SectionLine();

    /// <summary>A versioned library with an undefined reference, and where readelf says its tables are.</summary>
    private (byte[] Bytes, Dictionary<string, (int Offset, int Size)> Sections) Library(string hashStyle = "gnu")
    {
        File.WriteAllText(P("v.map"), "V1 { global: f1; local: *; };\nV2 { global: f2; } V1;\n");
        File.WriteAllText(P("s.c"), "int ext(void);\nint printf(const char *, ...);\nint f1(void){return ext() + printf(\"x%d\", 1);}\nint f2(void){return 2;}\n");
        Sh($"gcc -shared -fPIC -Wl,--hash-style={hashStyle} -Wl,--version-script,v.map -o libs.so s.c");
        var (_, output) = Tool.Run(_dir.Path, "readelf", "-S", "-W", "libs.so");
        var sections = new Dictionary<string, (int, int)>();
        foreach (Match m in SectionLine().Matches(output))
            sections[m.Groups[1].Value] = (Convert.ToInt32(m.Groups[2].Value, 16), Convert.ToInt32(m.Groups[3].Value, 16));
        return (File.ReadAllBytes(P("libs.so")), sections);
    }

    /// <summary>Opens and exercises a table on a worker with a deadline: an error value or a result, in bounded time.</summary>
    private static ElfReadError? Exercise(byte[] bytes)
    {
        ElfReadError? error = null;
        var work = Task.Run(() =>
        {
            var f = SymbolFiles.Open(new MemoryByteSource(bytes), "/", LibraryFileKind.Elf, sharedObject: true);
            if (f.Shared is not { } t) { error = f.Error; return; }
            foreach (var name in new[] { "f1", "f2", "ext", "missing" })
                if (!SymbolFiles.Try(() => t.Lookup(name), out _, out var e)) error ??= e;
            if (!SymbolFiles.Try(t.Undefined, out _, out var u)) error ??= u;
        });
        Assert.That(work.Wait(TimeSpan.FromSeconds(20)), Is.True, "reading the table did not finish: a hang");
        Assert.That(work.Exception, Is.Null, () => work.Exception!.ToString());
        return error;
    }

    private static void PutU32(byte[] b, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset), value);

    [Test]
    public void Gnu_hash_header_with_huge_counts_is_an_error()
    {
        var (b, s) = Library();
        PutU32(b, s[".gnu.hash"].Offset, 0xffffffff);
        Assert.That(Exercise(b)?.Message, Does.Contain("GNU hash table header is implausible"));
    }

    [Test]
    public void Gnu_hash_buckets_pointing_past_the_table_are_an_error()
    {
        var (b, s) = Library();
        int at = s[".gnu.hash"].Offset;
        uint nbuckets = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
        uint bloom = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at + 8));
        // Fill the bloom filter so every lookup reaches a bucket, and point each bucket far past the file.
        for (int i = 0; i < bloom * 8; i++) b[at + 16 + i] = 0xff;
        for (int i = 0; i < nbuckets; i++) PutU32(b, at + 16 + (int)bloom * 8 + i * 4, 0x7ffffff0);
        Assert.That(Exercise(b), Is.Not.Null);
    }

    [Test]
    public void Hash_table_address_outside_every_segment_is_an_error()
    {
        var (b, s) = Library();
        var (dyn, size) = s[".dynamic"];
        for (int i = dyn; i < dyn + size; i += 16)
            if (BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(i)) == 0x6ffffef5)
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(i + 8), 0x7fff_0000_0000);
        Assert.That(Exercise(b)?.Message, Does.Contain("outside every PT_LOAD segment"));
    }

    [Test]
    public void Version_index_out_of_range_is_an_error()
    {
        var (b, s) = Library();
        var (at, size) = s[".gnu.version"];
        for (int i = 2; i < size; i += 2) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at + i), 0x7ff0);
        Assert.That(Exercise(b)?.Message, Does.Contain("version index 32752"));
    }

    [Test]
    public void Sysv_hash_chain_that_loops_is_an_error_not_a_hang()
    {
        var (b, s) = Library("sysv");
        int at = s[".hash"].Offset;
        uint nbucket = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
        uint nchain = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at + 4));
        for (uint i = 0; i < nbucket; i++) PutU32(b, at + 8 + (int)i * 4, 1);
        for (uint i = 0; i < nchain; i++) PutU32(b, at + 8 + (int)(nbucket + i) * 4, i == 1 ? 2u : 1u);
        Assert.That(Exercise(b)?.Message, Does.Contain("hash chain loops"));
    }

    [Test]
    public void Huge_version_requirement_counts_are_bounded()
    {
        var (b, s) = Library();
        var (dyn, size) = s[".dynamic"];
        for (int i = dyn; i < dyn + size; i += 16)
            if (BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(i)) is 0x6fffffff or 0x6ffffffd)
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(i + 8), ulong.MaxValue);
        var (vr, _) = s[".gnu.version_r"];
        PutU32(b, vr + 12, 16); // vn_next: walk on into whatever follows
        Exercise(b);
    }

    [Test]
    public void Random_mutations_of_the_tables_never_throw_or_hang()
    {
        var (original, s) = Library();
        var regions = new[] { ".dynamic", ".gnu.hash", ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_d", ".gnu.version_r" }
            .Where(s.ContainsKey).Select(n => s[n]).ToArray();
        var rng = new Random(7);
        int errors = 0;
        for (int i = 0; i < 3000; i++)
        {
            var b = (byte[])original.Clone();
            var (at, size) = regions[rng.Next(regions.Length)];
            for (int k = 0; k < 4; k++) b[at + rng.Next(Math.Max(1, size))] = (byte)rng.Next(256);
            if (Exercise(b) is not null) errors++;
        }
        Assert.That(errors, Is.GreaterThan(0), "the mutations reached the tables");
    }

    [Test]
    public void Corrupt_archives_are_errors()
    {
        File.WriteAllText(P("a.c"), "int a_fn(void){return 1;}\n");
        Sh("gcc -c a.c && ar rcs liba.a a.o");
        var good = File.ReadAllBytes(P("liba.a"));
        void Expect(byte[] bytes, string why)
        {
            var work = Task.Run(() =>
            {
                var f = SymbolFiles.Open(new MemoryByteSource(bytes), _dir.Path, LibraryFileKind.Archive, false);
                if (f.Archive is { } a)
                {
                    foreach (var m in a.Index.Values.SelectMany(v => v)) SymbolFiles.Try(() => a.Member(m, out _), out _, out _);
                    SymbolFiles.Try(a.Members, out _, out _);
                }
            });
            Assert.That(work.Wait(TimeSpan.FromSeconds(20)), Is.True, why + ": hang");
            Assert.That(work.Exception, Is.Null, why);
        }
        var huge = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(68), 0x7fffffff);
        Assert.That(SymbolFiles.Open(new MemoryByteSource(huge), "/", LibraryFileKind.Archive, false).Error?.Message, Does.Contain("claims"));
        var offsets = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(offsets.AsSpan(72), 0x7ffffff0);
        Expect(offsets, "member offset past the end");
        Expect(good[..(good.Length / 2)], "truncated");
        var rng = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            var b = (byte[])good.Clone();
            for (int k = 0; k < 4; k++) b[rng.Next(b.Length)] = (byte)rng.Next(256);
            Expect(b, "mutation " + i);
        }
    }

    [Test]
    public void A_link_against_a_library_with_a_corrupt_hash_table_is_a_finding()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new Differential.LinkFixture();
        var (b, s) = Library();
        PutU32(b, s[".gnu.hash"].Offset, 0xffffffff);
        Directory.CreateDirectory(fx.P("build"));
        File.WriteAllBytes(fx.P("build/libs.so"), b);
        fx.Object("main.o", "int f1(void);\nint main(void){return f1();}\n");
        var report = new global::NativeLinkGuard.LinkChecker().Check(new global::NativeLinkGuard.CheckRequest(["gcc", "-o", "app", "main.o", "-Lbuild", "-ls"], fx.Root, fx.Environment));
        Assert.That(report.Findings.Select(f => f.Message), Has.Some.Contains("symbols could not be read").And.Some.Contains("GNU hash table header is implausible"));
    }
}
