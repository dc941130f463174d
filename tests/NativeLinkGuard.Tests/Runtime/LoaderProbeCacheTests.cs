using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Runtime;

public sealed class LoaderProbeCacheTests
{
    [Test]
    public void Probed_settings_round_trip_and_a_corrupt_entry_is_ignored()
    {
        Tool.Require(File.Exists("/lib64/ld-linux-x86-64.so.2") && LoaderProbe.IsHostAbi(global::NativeLinkGuard.Elf.ElfClass.Elf64, global::NativeLinkGuard.Elf.ElfMachines.X86_64), "needs an x86-64 host loader");
        using var dir = new TempDirectory();
        var probed = LoaderProbe.For(global::NativeLinkGuard.Elf.ElfClass.Elf64, global::NativeLinkGuard.Elf.ElfMachines.X86_64, "", null, "/");
        var cache = LoaderProbeCache.For("/lib64/ld-linux-x86-64.so.2", dir.Path)!;
        cache.Save(probed);
        var loaded = cache.Load(probed with { SystemDirectories = [], Subdirectories = [""], Notes = [] })!;
        Assert.That(loaded.SystemDirectories, Is.EqualTo(probed.SystemDirectories));
        Assert.That(loaded.Subdirectories, Is.EqualTo(probed.Subdirectories));
        Assert.That((loaded.DstLib, loaded.Platform, loaded.RtldPath), Is.EqualTo((probed.DstLib, probed.Platform, probed.RtldPath)));
        Assert.That(loaded.Notes, Has.Some.Contains("probe cache"));

        foreach (var f in Directory.GetFiles(dir.Path)) File.WriteAllText(f, "garbage\n\0\0");
        Assert.That(cache.Load(probed), Is.Null);
    }
}
