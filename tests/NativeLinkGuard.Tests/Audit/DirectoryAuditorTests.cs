using NativeLinkGuard.Tests.TestSupport;
using System.Text.RegularExpressions;
using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Audit;

/// <summary>The audit against the real <c>ldconfig -n -v -X DIR</c> (never writes: -X keeps links as they are).</summary>
[Category("RequiresCc")]
public sealed partial class DirectoryAuditorTests
{
    private LinkFixture _fx = null!;

    [SetUp]
    public void Create()
    {
        Tool.RequireOnPath("gcc");
        Tool.Require(File.Exists("/sbin/ldconfig"), "needs /sbin/ldconfig");
        _fx = new LinkFixture();
    }

    [TearDown]
    public void Clean() => _fx?.Dispose();

    private (Dictionary<string, string> Links, SortedSet<string> NotLinks, SortedSet<string> CannotStat) Ldconfig(string dir)
    {
        var r = ProcessRunner.Run("/sbin/ldconfig", ["-n", "-v", "-X", dir], _fx.Environment, _fx.Root);
        var links = LinkLine().Matches(r.StandardOutput).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var notLinks = new SortedSet<string>(NotALinkLine().Matches(r.StandardError).Select(m => Path.GetFileName(m.Groups[1].Value)), StringComparer.Ordinal);
        var cannot = new SortedSet<string>(CannotStatLine().Matches(r.StandardError).Select(m => Path.GetFileName(m.Groups[1].Value)), StringComparer.Ordinal);
        return (links, notLinks, cannot);
    }

    private void AssertAgreesWithLdconfig(string dir, DirectoryAudit audit)
    {
        var (links, notLinks, cannot) = Ldconfig(dir);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(audit.SonameLinks, Is.EquivalentTo(links), "SONAME -> newest file");
            Assert.That(audit.Findings.Where(f => f.Code == "NLG0004").Select(f => f.Library).Order(StringComparer.Ordinal), Is.EqualTo(notLinks));
            Assert.That(audit.Findings.Where(f => f.Code == "NLG0010").Select(f => f.Library).Order(StringComparer.Ordinal), Is.EqualTo(cannot));
        }
    }

    [Test]
    public void The_cudnn_tarball_copy_is_found_as_ldconfig_says_and_the_commands_fix_it()
    {
        _fx.SharedLib("lib/libcudnn.so.7.5.0", "int cudnn(void){return 7;}\n", soname: "libcudnn.so.7");
        File.Copy(_fx.P("lib/libcudnn.so.7.5.0"), _fx.P("lib/libcudnn.so.7"));
        File.Copy(_fx.P("lib/libcudnn.so.7.5.0"), _fx.P("lib/libcudnn.so"));
        var audit = DirectoryAuditor.Audit(_fx.P("lib"));
        AssertAgreesWithLdconfig(_fx.P("lib"), audit);
        var f = audit.Findings.Single(x => x.Code == "NLG0004");
        long size = new FileInfo(_fx.P("lib/libcudnn.so.7.5.0")).Length;
        Assert.That(f.Message, Does.Contain("byte-identical").And.Contain($"{2 * size:N0} bytes"));
        Assert.That(f.Suggestions[0].Commands, Is.EqualTo(new[] { "ln -sfn libcudnn.so.7.5.0 libcudnn.so.7", "ln -sfn libcudnn.so.7 libcudnn.so" }));

        foreach (var c in f.Suggestions[0].Commands!) _fx.Sh($"cd lib && {c}");
        var after = DirectoryAuditor.Audit(_fx.P("lib"));
        Assert.That(after.Findings, Is.Empty);
        var (_, notLinks, cannot) = Ldconfig(_fx.P("lib"));
        Assert.That(notLinks.Concat(cannot), Is.Empty, "ldconfig accepts the directory too");
        Assert.That(new FileInfo(_fx.P("lib/libcudnn.so")).LinkTarget, Is.EqualTo("libcudnn.so.7"));
    }

    [Test]
    public void Stale_links_missing_links_dangling_and_looping_links_agree_with_ldconfig()
    {
        _fx.SharedLib("lib/libfoo.so.1.0", "int f(void){return 0;}\n", soname: "libfoo.so.1");
        _fx.SharedLib("lib/libfoo.so.1.10", "int f(void){return 10;}\n", soname: "libfoo.so.1");
        _fx.SharedLib("lib/libfoo.so.1.9", "int f(void){return 9;}\n", soname: "libfoo.so.1");
        File.CreateSymbolicLink(_fx.P("lib/libfoo.so.1"), "libfoo.so.1.0");
        _fx.SharedLib("lib/libbar.so.2.0", "int b(void){return 0;}\n", soname: "libbar.so.2");
        File.CreateSymbolicLink(_fx.P("lib/libdang.so.1"), "nowhere.so");
        File.CreateSymbolicLink(_fx.P("lib/libloop.so.3"), "libloop.so.3");
        var audit = DirectoryAuditor.Audit(_fx.P("lib"));
        AssertAgreesWithLdconfig(_fx.P("lib"), audit);
        Assert.That(audit.Findings.Where(f => f.Code == "NLG0011").Select(f => f.Library).Order(), Is.EqualTo(new[] { "libbar.so.2", "libfoo.so.1" }));
        Assert.That(audit.SonameLinks["libfoo.so.1"], Is.EqualTo("libfoo.so.1.10"), "1.10 is newer than 1.9");
        Assert.That(Directory.GetFileSystemEntries(_fx.P("lib")), Has.Length.EqualTo(7), "the audit changes nothing");
    }

    [Test]
    public void Unreadable_or_missing_directories_are_a_clean_finding()
    {
        var audit = DirectoryAuditor.Audit(_fx.P("does-not-exist"));
        Assert.That(audit.Findings.Single().Code, Is.EqualTo("NLG9001"));
    }

    [GeneratedRegex(@"^\t(\S+) -> (\S+)", RegexOptions.Multiline)]
    private static partial Regex LinkLine();

    [GeneratedRegex(@"ldconfig: (\S+) is not a symbolic link")]
    private static partial Regex NotALinkLine();

    [GeneratedRegex(@"ldconfig: Cannot stat (\S+):")]
    private static partial Regex CannotStatLine();
}
