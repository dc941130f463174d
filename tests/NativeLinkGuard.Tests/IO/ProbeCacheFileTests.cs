using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.IO;

public sealed class ProbeCacheFileTests
{
    [Test]
    public void An_entry_is_read_back_only_under_its_own_key()
    {
        using var dir = new TempDirectory();
        string key = "/usr/bin/ld\0" + "8.1:42:1000:5.000000001\nline\\two";
        string file = Path.Combine(dir.Path, ProbeCacheFile.Name("linker-", key));
        ProbeCacheFile.Write(file, "magic v1", key, "body\n");
        Assert.That(ProbeCacheFile.Read(file, "magic v1", key), Is.EqualTo("body\n"));
        // Another key hashed to the same name (a collision), an older format, a missing file: all misses.
        Assert.That(ProbeCacheFile.Read(file, "magic v1", key + "x"), Is.Null);
        Assert.That(ProbeCacheFile.Read(file, "magic v1", key.Replace("\0", "\\0")), Is.Null);
        Assert.That(ProbeCacheFile.Read(file, "magic v0", key), Is.Null);
        Assert.That(ProbeCacheFile.Read(file + "-missing", "magic v1", key), Is.Null);
        Assert.That(ProbeCacheFile.Name("linker-", key), Is.Not.EqualTo(ProbeCacheFile.Name("linker-", key + "x")));
        Assert.That(Path.GetFileName(file), Does.Match("^linker-[0-9a-f]{16}$"));
    }

    [Test]
    public void A_fifo_or_an_oversized_file_at_a_cache_path_is_a_miss_not_a_hang()
    {
        using var dir = new TempDirectory();
        string fifo = Path.Combine(dir.Path, "loader-fifo");
        Tool.RequireOnPath("mkfifo");
        Assert.That(ProcessRunner.Run("mkfifo", [fifo]).ExitCode, Is.Zero);
        var read = Task.Run(() => ProbeCacheFile.Read(fifo, "magic v1", "k"));
        Assert.That(read.Wait(TimeSpan.FromSeconds(10)), Is.True, "reading a FIFO must not wait for a writer");
        Assert.That(read.Result, Is.Null);
        string big = Path.Combine(dir.Path, "loader-big");
        File.WriteAllText(big, "magic v1\nkey k\n" + new string('x', 2 << 20));
        Assert.That(ProbeCacheFile.Read(big, "magic v1", "k"), Is.Null);
    }

    [Test]
    public void The_identity_key_changes_when_a_binary_is_rewritten_within_the_same_second()
    {
        using var dir = new TempDirectory();
        string bin = dir.Write("tool", "a");
        string? first = NativeMethods.IdentityKey(bin);
        Assert.That(first, Is.Not.Null);
        File.SetLastWriteTimeUtc(bin, File.GetLastWriteTimeUtc(bin).AddTicks(10));
        Assert.That(NativeMethods.IdentityKey(bin), Is.Not.EqualTo(first));
        Assert.That(NativeMethods.IdentityKey(Path.Combine(dir.Path, "missing")), Is.Null);
    }
}
