using System.Text.RegularExpressions;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Runtime;

/// <summary>The run-time check's ld.so.cache lookups, against <c>ldconfig -p</c> on this machine's cache.</summary>
public sealed partial class LdSoCacheIndexTests
{
    [GeneratedRegex(@"^\s+(\S+) \(libc6,x86-64\) => (\S+)$", RegexOptions.Multiline)]
    private static partial Regex X8664Entry();

    [Test]
    public void Every_x86_64_name_of_the_system_cache_is_found_where_ldconfig_lists_it()
    {
        Tool.RequireOnPath("ldconfig");
        Tool.Require(File.Exists("/etc/ld.so.cache"), "needs /etc/ld.so.cache");
        var (code, output) = Tool.Run("/", "ldconfig", "-p");
        Assert.That(code, Is.Zero, output);
        // ldconfig -p prints the entries in cache order: ld.so takes the first usable one of a name.
        var expected = new Dictionary<string, string>();
        foreach (Match m in X8664Entry().Matches(output)) expected.TryAdd(m.Groups[1].Value, m.Groups[2].Value);
        Assert.That(expected, Is.Not.Empty, output);
        var index = new LdSoCacheIndex("/etc/ld.so.cache", "");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(index.Error, Is.Null);
            foreach (var (name, path) in expected)
                Assert.That(index.Lookup(name, ElfClass.Elf64, ElfMachines.X86_64, []), Is.EqualTo(path), name);
            Assert.That(index.Lookup("libnot-in-any-cache.so.7", ElfClass.Elf64, ElfMachines.X86_64, []), Is.Null);
            // Another ABI's process skips the x86-64 entries (ld.so's _dl_cache_check_flags).
            var first = expected.First();
            Assert.That(index.Lookup(first.Key, ElfClass.Elf64, ElfMachines.AArch64, []), Is.Null);
            Assert.That(new LdSoCacheIndex("/etc/ld.so.cache", "/sysroot").Lookup(first.Key, ElfClass.Elf64,
                ElfMachines.X86_64, []), Is.EqualTo("/sysroot" + first.Value));
        }
    }

    [Test]
    public void A_damaged_cache_gives_the_readers_error_and_the_entries_before_the_damage()
    {
        Tool.Require(File.Exists("/etc/ld.so.cache"), "needs /etc/ld.so.cache");
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes("/etc/ld.so.cache");
        var entries = LdSoCacheReader.Read("/etc/ld.so.cache", out _);
        Assert.That(entries, Has.Count.GreaterThan(3));
        // Entry 2's path offset points past the end of the file.
        BitConverter.GetBytes((uint)bytes.Length + 10).CopyTo(bytes, 48 + 2 * 24 + 8);
        string damaged = Path.Combine(dir.Path, "ld.so.cache");
        File.WriteAllBytes(damaged, bytes);
        var kept = LdSoCacheReader.Read(damaged, out var readerError);
        var index = new LdSoCacheIndex(damaged, "");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(kept, Has.Count.EqualTo(2));
            Assert.That(index.Error, Is.EqualTo(readerError).And.Contain("entry 2"));
            foreach (var e in entries.Skip(2).Where(e => kept.All(k => k.Soname != e.Soname)))
                Assert.That(index.Lookup(e.Soname, ElfClass.Elf64, ElfMachines.X86_64, []), Is.Null, e.Soname);
            foreach (var e in kept.Where(e => e.Flags == 0x0303))
                Assert.That(index.Lookup(e.Soname, ElfClass.Elf64, ElfMachines.X86_64, []), Is.EqualTo(e.Path));
        }
        File.WriteAllText(damaged, "not a cache");
        Assert.That(new LdSoCacheIndex(damaged, "").Error, Does.Contain("not a glibc-ld.so.cache1.1 file"));
    }
}
