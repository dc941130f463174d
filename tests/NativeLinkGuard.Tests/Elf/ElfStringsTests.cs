using System.Text;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Elf;

/// <summary>The intern table of ELF dynamic strings: one instance per spelling, the text UTF-8 decoding gives.</summary>
public sealed class ElfStringsTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void Each_spelling_is_made_once_and_reads_as_utf8_decoding_gives_it()
    {
        var strings = new ElfStrings();
        // Past the first table's 256 entries (it grows), with non-ASCII, empty and invalid UTF-8 spellings.
        var spellings = Enumerable.Range(0, 1000).Select(i => Utf8($"lib{i}.so.{i % 7}"))
            .Append(Utf8("libé€.so")).Append([]).Append([0x6c, 0xff, 0x2e, 0xc3]).ToList();
        var first = spellings.Select(b => strings.Get(b)).ToList();
        var again = spellings.Select(b => strings.Get(b.ToArray())).ToList();
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < spellings.Count; i++)
            {
                Assert.That(first[i], Is.EqualTo(Encoding.UTF8.GetString(spellings[i])));
                Assert.That(again[i], Is.SameAs(first[i]), first[i]);
            }
            Assert.That(first.Distinct().Count(), Is.EqualTo(spellings.Count));
        }
    }

    [Test]
    public void Two_threads_get_one_instance_per_spelling()
    {
        var strings = new ElfStrings();
        var names = Enumerable.Range(0, 3000).Select(i => Utf8($"libp{i % 1500}_{i % 1500}.so.1")).ToArray();
        var results = new string[2][];
        Parallel.For(0, 2, t => results[t] = (t == 0 ? names : names.Reverse()).Select(b => strings.Get(b)).ToArray());
        var second = results[1].Reverse().ToArray();
        for (int i = 0; i < names.Length; i++)
            Assert.That(second[i], Is.SameAs(results[0][i]), results[0][i]);
    }

    [Test]
    [Category("RequiresCc")]
    public void Libraries_read_through_one_file_cache_share_their_dynamic_strings()
    {
        Tool.RequireOnPath("gcc", "readelf");
        using var dir = new TempDirectory();
        dir.Write("x.c", "#include <math.h>\ndouble x(double v) { return sqrt(v); }\n");
        foreach (var name in new[] { "liba.so", "libb.so" })
        {
            var (code, output) = Tool.Run(dir.Path, "gcc", "-shared", "-fPIC", "-Wl,-rpath,$ORIGIN/../lib:/opt/x",
                "-o", name, "x.c", "-lm");
            Assert.That(code, Is.Zero, output);
        }
        var cache = new LibraryFileCache();
        var a = cache.Get(Path.Combine(dir.Path, "liba.so")).Elf!;
        var b = cache.Get(Path.Combine(dir.Path, "libb.so")).Elf!;
        var (_, readelf) = Tool.Run(dir.Path, "readelf", "-dW", "liba.so");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Runpath, Is.EqualTo("$ORIGIN/../lib:/opt/x"));
            Assert.That(readelf, Does.Contain($"(RUNPATH)").And.Contain($"[{a.Runpath}]"));
            Assert.That(a.Needed, Is.Not.Empty);
            foreach (var n in a.Needed) Assert.That(readelf, Does.Contain($"(NEEDED)").And.Contain($"[{n}]"));
            Assert.That(b.Needed, Is.EqualTo(a.Needed));
            for (int i = 0; i < a.Needed.Count; i++) Assert.That(b.Needed[i], Is.SameAs(a.Needed[i]));
            Assert.That(b.Runpath, Is.SameAs(a.Runpath));
        }
    }
}
