using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Audit;

/// <summary>The audit on small fixtures, each against the real <c>ldconfig -n -N -X -v DIR</c> (and ldconfig writing on a scratch copy).</summary>
[Category("RequiresCc")]
public sealed class DirectoryAuditorTests
{
    private LinkFixture _fx = null!;

    [SetUp]
    public void Create()
    {
        Tool.RequireOnPath("gcc");
        Tool.Require(LdconfigOracle.Exists, "needs /sbin/ldconfig");
        _fx = new LinkFixture();
    }

    [TearDown]
    public void Clean() => _fx?.Dispose();

    private static void AssertAgreesWithLdconfig(string dir, DirectoryAudit audit)
    {
        var ld = LdconfigOracle.Read(dir);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(audit.SonameLinks, Is.EquivalentTo(ld.Links), "SONAME -> newest file");
            Assert.That(Libraries(audit, "NLG0004"), Is.EqualTo(ld.NotLinks), "is not a symbolic link");
            Assert.That(Libraries(audit, "NLG0010"), Is.EqualTo(ld.CannotStat), "Cannot stat");
            Assert.That(Libraries(audit, "NLG0011"), Is.EqualTo(ld.Changed), "links ldconfig creates or re-points");
        }
    }

    private static SortedSet<string> Libraries(DirectoryAudit audit, string code) =>
        new(audit.Findings.Where(f => f.Code == code && f.Severity != Severity.Info).Select(f => f.Library), StringComparer.Ordinal);

    private void AssertFixesAreSafe(string dir, DirectoryAudit audit)
    {
        var (problems, _) = FixVerifier.Verify(dir, audit, new DlopenProbe(_fx.P("probe")));
        Assert.That(problems, Is.Empty);
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
        AssertFixesAreSafe(_fx.P("lib"), audit);

        foreach (var c in f.Suggestions[0].Commands!) _fx.Sh($"cd lib && {c}");
        Assert.That(DirectoryAuditor.Audit(_fx.P("lib")).Findings, Is.Empty);
        Assert.That(LdconfigOracle.Read(_fx.P("lib")).Silent, "ldconfig accepts the directory too");
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
        _fx.SharedLib("lib/libdang.so.1.4", "int d(void){return 4;}\n", soname: "libdang.so.1");
        File.CreateSymbolicLink(_fx.P("lib/libloop.so.3"), "libloop.so.3");
        // A library for another machine: this machine's ldconfig skips it ("is for unknown machine"), so does the audit.
        _fx.SharedLib("lib/libarm.so.1.0", "int a(void){return 0;}\n", soname: "libarm.so.1", compiler: "aarch64-linux-gnu-gcc");
        var audit = DirectoryAuditor.Audit(_fx.P("lib"));
        AssertAgreesWithLdconfig(_fx.P("lib"), audit);
        Assert.That(Libraries(audit, "NLG0011"), Is.EqualTo(new[] { "libbar.so.2", "libdang.so.1", "libfoo.so.1" }));
        Assert.That(audit.Findings.Single(f => f.Code == "NLG0011" && f.Library == "libdang.so.1").Message, Does.Contain("leads nowhere"));
        Assert.That(audit.SonameLinks["libfoo.so.1"], Is.EqualTo("libfoo.so.1.10"), "1.10 is newer than 1.9");
        Assert.That(Directory.GetFileSystemEntries(_fx.P("lib")), Has.Length.EqualTo(9), "the audit changes nothing");
        AssertFixesAreSafe(_fx.P("lib"), audit);
    }

    /// <summary>
    /// The healthy layouts of issue 18, where ldconfig is silent: a development link to a SONAME-named regular file
    /// (CMake SOVERSION, glibc's libanl.so through an absolute /usr-merge path), Debian's two-step chain to the newest
    /// file, an alternatives link leaving the directory, and gcc's directory of development links into another one.
    /// </summary>
    [Test]
    public void Healthy_layouts_are_silent_like_ldconfig()
    {
        _fx.SharedLib("lib/libabsl_x.so.0", "int x(void){return 0;}\n", soname: "libabsl_x.so.0");
        File.CreateSymbolicLink(_fx.P("lib/libabsl_x.so"), "libabsl_x.so.0");
        _fx.SharedLib("lib/libanl.so.1", "int a(void){return 0;}\n", soname: "libanl.so.1");
        File.CreateSymbolicLink(_fx.P("lib/libanl.so"), _fx.P("lib/../lib/libanl.so.1"));
        _fx.SharedLib("lib/libXaw7.so.7.0.0", "int w(void){return 0;}\n", soname: "libXaw.so.7");
        File.CreateSymbolicLink(_fx.P("lib/libXaw7.so.7"), "libXaw7.so.7.0.0");
        File.CreateSymbolicLink(_fx.P("lib/libXaw.so.7"), "libXaw7.so.7");
        _fx.SharedLib("lib/blas/libblas.so.3", "int blas(void){return 0;}\n", soname: "libblas.so.3");
        Directory.CreateDirectory(_fx.P("alternatives"));
        File.CreateSymbolicLink(_fx.P("alternatives/libblas.so.3"), _fx.P("lib/blas/libblas.so.3"));
        File.CreateSymbolicLink(_fx.P("lib/libblas.so.3"), _fx.P("alternatives/libblas.so.3"));
        Directory.CreateDirectory(_fx.P("gcc/12"));
        File.CreateSymbolicLink(_fx.P("gcc/12/libanl.so"), "../../lib/libanl.so.1");
        File.CreateSymbolicLink(_fx.P("gcc/12/libXaw.so"), "../../lib/libXaw.so.7");
        foreach (string dir in new[] { "lib", "gcc/12" })
        {
            var audit = DirectoryAuditor.Audit(_fx.P(dir));
            AssertAgreesWithLdconfig(_fx.P(dir), audit);
            Assert.That(audit.Findings, Is.Empty, dir);
            Assert.That(LdconfigOracle.Read(_fx.P(dir)).Silent, dir);
        }
    }

    /// <summary>
    /// Cross-wired SONAME links (found by the random audit run, cases 12:1 and 14:3): libA.so.2 leads to a file whose
    /// SONAME is libA.so.1, so ldconfig takes the link libA.so.2 as a file of libA.so.1, the newest one. Whether
    /// libA.so.1 then changes depends on whether libA.so.2 was re-pointed before it: ldconfig makes its links one
    /// SONAME after another, and each step sees the earlier ones. Many layouts, so both orders are met.
    /// </summary>
    [Test]
    public void Ldconfig_makes_its_links_one_soname_after_another()
    {
        _fx.SharedLib("one/libA.so.1", "int f(void){return 1;}\n", soname: "libA.so.1");
        _fx.SharedLib("one/libA.so.2", "int f(void){return 2;}\n", soname: "libA.so.2");
        int changedOnlyByTheOrder = 0;
        for (int layout = 0; layout < 12; layout++)
        {
            string dir = _fx.P($"lib{layout}");
            Directory.CreateDirectory(dir);
            File.Copy(_fx.P("one/libA.so.1"), Path.Combine(dir, "libA.so.1.1.2"));
            File.Copy(_fx.P("one/libA.so.2"), Path.Combine(dir, layout % 2 == 0 ? "libA.so.2.1" : "libA.so.2.9"));
            File.Copy(_fx.P("one/libA.so.1"), Path.Combine(dir, "libA.so.1.10"));
            File.CreateSymbolicLink(Path.Combine(dir, "libA.so.1"), layout % 3 == 0 ? "libA.so.1.1.2" : layout % 2 == 0 ? "libA.so.2.1" : "libA.so.2.9");
            File.CreateSymbolicLink(Path.Combine(dir, "libA.so.2"), "libA.so.1.1.2");
            var audit = DirectoryAuditor.Audit(dir);
            AssertAgreesWithLdconfig(dir, audit);
            Assert.That(audit.SonameLinks["libA.so.1"], Is.EqualTo("libA.so.2"), "the link libA.so.2 counts as the newest file of libA.so.1");
            changedOnlyByTheOrder += audit.Findings.Count(f => f.Message.Contains("only until ldconfig re-points", StringComparison.Ordinal));
        }
        TestContext.Out.WriteLine($"{changedOnlyByTheOrder} layout(s) where libA.so.1 changes only because libA.so.2 was re-pointed first");
    }

    [Test]
    public void A_copy_with_other_bytes_or_a_fix_that_would_lead_out_of_the_directory_gets_no_command()
    {
        // A stale copy: replacing it would lose the only copy of the old version.
        _fx.SharedLib("lib/libold.so.1.2", "int o(void){return 2;}\n", soname: "libold.so.1");
        _fx.SharedLib("lib/libold.so.1", "int o(void){return 1;}\n", soname: "libold.so.1");
        // ldconfig's newest libout.so.1.5 is a link out of the directory: "ln -sfn libout.so.1.5 libout.so.1" would
        // replace the directory's only copy of those bytes by a link leading outside.
        _fx.SharedLib("elsewhere/libout.so.1.5", "int u(void){return 5;}\n", soname: "libout.so.1");
        File.CreateSymbolicLink(_fx.P("lib/libout.so.1.5"), "../elsewhere/libout.so.1.5");
        File.Copy(_fx.P("elsewhere/libout.so.1.5"), _fx.P("lib/libout.so.1"));
        // A directory where the SONAME link belongs: ldconfig calls it "not a symbolic link" too; nothing to run.
        _fx.SharedLib("lib/libd.so.1.0", "int d(void){return 0;}\n", soname: "libd.so.1");
        Directory.CreateDirectory(_fx.P("lib/libd.so.1"));
        var audit = DirectoryAuditor.Audit(_fx.P("lib"));
        AssertAgreesWithLdconfig(_fx.P("lib"), audit);
        Assert.That(audit.Findings.Single(f => f.Library == "libd.so.1").Suggestions.SelectMany(s => s.Commands ?? []), Is.Empty);
        var old = audit.Findings.Single(f => f.Library == "libold.so.1");
        Assert.That(old.Message, Does.Contain("differs"));
        Assert.That(old.Suggestions.SelectMany(s => s.Commands ?? []), Is.Empty);
        var @out = audit.Findings.Single(f => f.Library == "libout.so.1");
        Assert.That(@out.Suggestions.Single().Commands, Is.Empty);
        Assert.That(@out.Suggestions.Single().Summary, Does.Contain("no command: libout.so.1 holds the only copy of its bytes"), "in the directory: the other copy is outside");
    }

    [Test]
    public void The_safety_check_rejects_commands_that_lose_bytes_loop_dangle_or_lead_out()
    {
        _fx.SharedLib("lib/libs.so.1.0", "int s(void){return 0;}\n", soname: "libs.so.1");
        _fx.SharedLib("lib/libs.so.1", "int s(void){return 1;}\n", soname: "libs.so.1");
        File.CreateSymbolicLink(_fx.P("lib/libt.so.1"), "libs.so.1.0");
        _fx.SharedLib("elsewhere/libe.so.1", "int e(void){return 0;}\n", soname: "libe.so.1");
        File.CreateSymbolicLink(_fx.P("lib/libe.so.1"), "../elsewhere/libe.so.1");
        var model = new DirectoryModel(_fx.P("lib"));
        string[] names = ["libs.so.1.0", "libs.so.1", "libt.so.1"];
        var none = new HashSet<string>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FixSafety.Check(model, [FixOp.Link("libs.so.1.0", "libs.so.1")], names, none), Does.Contain("only copy"));
            Assert.That(FixSafety.Check(model, [FixOp.Link("libs.so.1.0", "libs.so.1.0")], names, none), Does.Contain("only copy"));
            Assert.That(FixSafety.Check(model, [FixOp.Link("libt.so.1", "libt.so.1")], names, none), Does.Contain("Too many levels"));
            Assert.That(FixSafety.Check(model, [FixOp.Link("libnone.so.1", "libt.so.1")], names, none), Does.Contain("nowhere"));
            Assert.That(FixSafety.Check(model, [FixOp.Link("/usr/lib/x86_64-linux-gnu/libz.so.1", "libt.so.1")], names, none), Does.Contain("outside"));
            Assert.That(FixSafety.Check(model, [FixOp.Link("libe.so.1", "libt.so.1")], names, new HashSet<string> { "libt.so.1" }), Does.Contain("libt.so.1 would lead out of the directory"));
            Assert.That(FixSafety.Check(model, [FixOp.Remove("libs.so.1.0")], names, none), Is.Not.Null);
            Assert.That(FixSafety.Check(model, [FixOp.Link("libs.so.1", "libt.so.1")], names, none), Does.Contain("other bytes"));
            Assert.That(FixSafety.Check(model, [FixOp.Link("libs.so.1", "libt.so.1")], names, new HashSet<string> { "libt.so.1" }), Is.Null);
        }
    }

    [Test]
    public void Unreadable_or_missing_directories_are_a_clean_finding()
    {
        var audit = DirectoryAuditor.Audit(_fx.P("does-not-exist"));
        Assert.That(audit.Findings.Single().Code, Is.EqualTo("NLG9001"));
    }
}
