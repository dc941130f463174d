using System.Text.RegularExpressions;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Runtime;

/// <summary>
/// A deployment modelled in a sysroot: its own ld.so.cache (made by the real <c>ldconfig -r</c>), or, without one, its
/// ld.so.conf as ldconfig would cache it. The oracle is the real loader run in a chroot of that root (needs root).
/// </summary>
[Category("RequiresCc")]
public sealed partial class SysrootRuntimeTests
{
    [Test]
    public void Libraries_found_through_the_sysroot_cache_or_its_ld_so_conf_match_the_loader_in_a_chroot()
    {
        Tool.RequireOnPath("gcc");
        Tool.Require(Environment.UserName == "root" && File.Exists("/usr/sbin/chroot") && File.Exists("/sbin/ldconfig"),
            "needs root for chroot and ldconfig -r");
        using var fx = new LinkFixture();
        fx.Sh("mkdir -p S/lib/x86_64-linux-gnu S/lib64 S/etc S/opt/vendor/lib S/app S/usr/lib/x86_64-linux-gnu");
        fx.Sh("cp -L /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 S/lib/x86_64-linux-gnu/ && ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 S/lib64/ld-linux-x86-64.so.2");
        fx.SharedLib("S/opt/vendor/lib/libdep.so.1", "int dep_fn(void) { return 1; }", "libdep.so.1");
        fx.SharedLib("S/app/libtop.so", "int dep_fn(void); int t(void) { return dep_fn(); }", "libtop.so", "-Wl,--no-as-needed S/opt/vendor/lib/libdep.so.1");
        fx.Write("S/etc/ld.so.conf", "/opt/vendor/lib\n");
        fx.Sh("/sbin/ldconfig -r S");

        // --list, not LD_TRACE_LOADED_OBJECTS: the variable would trace the chroot binary itself.
        var r = ProcessRunner.Run("/usr/sbin/chroot", [fx.P("S"), "/lib64/ld-linux-x86-64.so.2", "--list", "/app/libtop.so"], fx.Environment, fx.Root);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StandardError);
        var real = Trace().Matches(r.StandardOutput).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value == "not found" ? null : m.Groups[2].Value);
        Assert.That(real["libdep.so.1"], Is.EqualTo("/opt/vendor/lib/libdep.so.1"));

        foreach (bool withCache in new[] { true, false })
        {
            if (!withCache) File.Delete(fx.P("S/etc/ld.so.cache"));
            var report = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = fx.Root, Sysroot = fx.P("S") }).Check(fx.P("S/app/libtop.so"));
            var ours = report.Libraries.Where(l => real.ContainsKey(l.Name)).GroupBy(l => l.Name)
                .ToDictionary(g => g.Key, g => g.First().Path?[fx.P("S").Length..]);
            Assert.That(ours, Is.EquivalentTo(real), withCache ? "through S/etc/ld.so.cache" : "through S/etc/ld.so.conf");
            Assert.That(report.Loadable, Is.True);
        }
    }

    [GeneratedRegex(@"^\t(\S+) => (not found|\S+)", RegexOptions.Multiline)]
    private static partial Regex Trace();
}
