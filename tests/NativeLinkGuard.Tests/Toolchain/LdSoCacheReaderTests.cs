using System.Text.RegularExpressions;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Toolchain;

public sealed class LdSoCacheReaderTests
{
    [Test]
    public void The_machines_cache_reads_as_ldconfig_prints_it()
    {
        Tool.Require(File.Exists("/etc/ld.so.cache") && File.Exists("/sbin/ldconfig"), "needs /etc/ld.so.cache and /sbin/ldconfig");
        var entries = LdSoCacheReader.Read("/etc/ld.so.cache", out var error);
        Assert.That(error, Is.Null, "the machine's cache reads (glibc 2.32+ writes the new format only)");
        var printed = ProcessRunner.Run("/sbin/ldconfig", ["-p"]).StandardOutput;
        var expected = Regex.Matches(printed, @"^\s+(\S+) \([^)]*\) => (\S+)$", RegexOptions.Multiline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).Order().ToList();
        Assert.That(expected, Is.Not.Empty);
        Assert.That(entries.Select(e => (e.Soname, e.Path)).Order().ToList(), Is.EqualTo(expected));
    }

    [Test]
    public void Truncated_or_lying_caches_are_errors_not_exceptions()
    {
        Tool.Require(File.Exists("/etc/ld.so.cache"), "needs /etc/ld.so.cache");
        var real = File.ReadAllBytes("/etc/ld.so.cache");
        foreach (int len in new[] { 0, 10, 47, 48, 100, real.Length / 2 })
            Assert.DoesNotThrow(() => LdSoCacheReader.Parse(real.AsSpan(0, Math.Min(len, real.Length)), "cut", out _));
        var lying = (byte[])real.Clone();
        BitConverter.TryWriteBytes(lying.AsSpan(20), uint.MaxValue);
        Assert.That(LdSoCacheReader.Parse(lying, "lying", out var error), Is.Empty);
        Assert.That(error, Does.Contain("do not fit"));
    }

    [Test]
    public void The_directory_list_is_what_the_entries_give_even_for_cut_or_corrupt_caches()
    {
        Tool.Require(File.Exists("/etc/ld.so.cache"), "needs /etc/ld.so.cache");
        using var dir = new NativeLinkGuard.Tests.TestSupport.TempDirectory();
        var real = File.ReadAllBytes("/etc/ld.so.cache");
        var corrupt = (byte[])real.Clone();
        if (corrupt.Length > 48 + 24 * 3) BitConverter.TryWriteBytes(corrupt.AsSpan(48 + 24 * 2 + 8), uint.MaxValue);
        var cases = new[] { real, real[..(real.Length / 2)], real[..47], corrupt };
        for (int i = 0; i < cases.Length; i++)
        {
            string path = Path.Combine(dir.Path, $"cache{i}");
            File.WriteAllBytes(path, cases[i]);
            var expected = LdSoCacheReader.Read(path, out _).Select(e => Path.GetDirectoryName(e.Path)).OfType<string>().Distinct(StringComparer.Ordinal);
            Assert.That(LdSoCacheReader.ReadDirectories(path), Is.EqualTo(expected), $"case {i}");
        }
        Assert.That(LdSoCacheReader.ReadDirectories(Path.Combine(dir.Path, "missing")), Is.Empty);
        Assert.That(LdSoCacheReader.ReadDirectories(dir.Path), Is.Empty);
    }
}
