using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Toolchain;

public sealed class LinkerProbeCacheTests
{
    [Test]
    public void A_second_process_reads_the_probe_from_the_cache_and_a_corrupt_entry_is_probed_again()
    {
        string ld = ProcessRunner.FindOnPath("ld", Environment.GetEnvironmentVariable("PATH")) ?? "";
        Tool.Require(ld.Length > 0, "needs ld on PATH");
        string cache = Path.Combine(Path.GetTempPath(), "nlg-cache-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var env = new Dictionary<string, string?> { ["PATH"] = Environment.GetEnvironmentVariable("PATH"), ["XDG_CACHE_HOME"] = cache };
            var probed = new LinkerProbe().Probe(ld, null, env);
            var cached = new LinkerProbe().Probe(ld, null, env);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(probed.ProbeNotes, Has.None.EqualTo(LinkerProbeCache.FromCacheNote));
                Assert.That(cached.ProbeNotes, Has.Some.EqualTo(LinkerProbeCache.FromCacheNote));
                Assert.That(cached with { ProbeNotes = [] }, Is.EqualTo(probed with { ProbeNotes = [] }).Using<LinkerInfo>((a, b) =>
                    a.SearchDirs.SequenceEqual(b.SearchDirs) && a.Version == b.Version && a.IsNative == b.IsNative && a.TargetMachine == b.TargetMachine
                    && a.OutputFormat == b.OutputFormat && a.Prefix == b.Prefix && a.DefaultSysroot == b.DefaultSysroot));
            }
            foreach (var f in Directory.GetFiles(Path.Combine(cache, "nativelinkguard"))) File.WriteAllText(f, "garbage");
            var again = new LinkerProbe().Probe(ld, null, env);
            Assert.That(again.ProbeNotes, Has.None.EqualTo(LinkerProbeCache.FromCacheNote));
            Assert.That(again.SearchDirs, Is.EqualTo(probed.SearchDirs));
        }
        finally
        {
            if (Directory.Exists(cache)) Directory.Delete(cache, true);
        }
    }
}
