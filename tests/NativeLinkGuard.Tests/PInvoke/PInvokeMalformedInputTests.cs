using NativeLinkGuard.PInvoke;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.PInvoke;

/// <summary>Damaged app files give a report with notes, never an exception.</summary>
public sealed class PInvokeMalformedInputTests
{
    private static readonly string[][] Damage =
    [
        ["{", "{ \"targets\": [1, 2] }"],
        ["[]", "{ \"runtimeTarget\": { \"name\": 7 }, \"targets\": { \"x\": { \"a/1.0\": { \"native\": [\"n\"] } } } }"],
        ["{ \"runtimeOptions\": { \"framework\": 3, \"frameworks\": [null, \"x\"] } }", "{ \"runtimeTarget\": { \"name\": \"t/linux-x64\" }, \"libraries\": [], \"targets\": { \"t/linux-x64\": { \"a/1.0\": { \"runtimeTargets\": { \"r/x.so\": { \"rid\": 5, \"assetType\": \"native\" } } } } } }"],
        ["\u0000\u0001garbage", "{ \"targets\": { \"\": { \"a\": { \"runtime\": { \"../../../../etc/passwd\": {} } } } } }"],
    ];

    [Test]
    public void Damaged_runtimeconfig_deps_json_and_assembly_are_notes_not_crashes()
    {
        using var tmp = new TempDirectory();
        var random = new Random(1234);
        foreach (var (d, i) in Damage.Select((d, i) => (d, i)))
        {
            string dir = Path.Combine(tmp.Path, "case" + i);
            Directory.CreateDirectory(dir);
            var bytes = new byte[4096];
            random.NextBytes(bytes);
            if (i % 2 == 0) { bytes[0] = (byte)'M'; bytes[1] = (byte)'Z'; } // a PE signature with nothing valid after it
            File.WriteAllBytes(Path.Combine(dir, "App.dll"), bytes);
            File.WriteAllText(Path.Combine(dir, "App.runtimeconfig.json"), d[0]);
            File.WriteAllText(Path.Combine(dir, "App.deps.json"), d[1]);
            PInvokeReport? report = null;
            Assert.DoesNotThrow(() => report = PInvokeChecker.Check(dir, new PInvokeRequest { WorkingDirectory = dir }), $"case {i}");
            Assert.That(report!.Libraries, Is.Empty, $"case {i}");
        }
    }
}
