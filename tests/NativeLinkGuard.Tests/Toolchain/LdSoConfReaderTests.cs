using System.Text.RegularExpressions;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Toolchain;

public sealed partial class LdSoConfReaderTests
{
    [Test]
    public void Listed_directories_get_the_sysroot_and_lose_comments_suffixes_and_trailing_slashes()
    {
        using var dir = new TempDirectory();
        string conf = dir.Write("etc/ld.so.conf", "# header\n  /opt/a/ # tail\n/opt/b=hwcap\n\t/opt/c//\n/opt/d /ignored\n\n");

        var result = LdSoConfReader.Read(conf, "/sys");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Directories, Is.EqualTo(new[] { "/sys/opt/a", "/sys/opt/b", "/sys/opt/c", "/sys/opt/d" }));
            Assert.That(result.Diagnostics, Is.Empty);
            Assert.That(result.FilesRead, Is.EqualTo(new[] { conf }));
        }
    }

    [Test]
    public void Colons_split_an_entry_and_relative_entries_keep_no_sysroot()
    {
        using var dir = new TempDirectory();
        string conf = dir.Write("ld.so.conf", "/x:/y:rel\nhwcap 0 nosegneg\n");

        // ld has no hwcap directive: the first word is a (relative) directory like any other.
        Assert.That(LdSoConfReader.Read(conf, "/S").Directories, Is.EqualTo(new[] { "/S/x", "/S/y", "rel", "hwcap" }));
    }

    [Test]
    public void Relative_include_is_globbed_against_the_including_file_in_sorted_order()
    {
        using var dir = new TempDirectory();
        string conf = dir.Write("etc/ld.so.conf", "/first\ninclude ld.so.conf.d/*.conf other.conf\n/last\n");
        dir.Write("etc/ld.so.conf.d/b.conf", "/b\n");
        dir.Write("etc/ld.so.conf.d/a.conf", "/a\n");
        dir.Write("etc/ld.so.conf.d/.hidden.conf", "/hidden\n");
        dir.Write("etc/ld.so.conf.d/c.txt", "/txt\n");
        dir.Write("etc/other.conf", "/other\n");

        var result = LdSoConfReader.Read(conf, "");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Directories, Is.EqualTo(new[] { "/first", "/a", "/b", "/other", "/last" }));
            Assert.That(result.FilesRead.Select(Path.GetFileName), Is.EqualTo(new[] { "ld.so.conf", "a.conf", "b.conf", "other.conf" }));
        }
    }

    [Test]
    public void Absolute_include_is_not_sysroot_prefixed()
    {
        using var host = new TempDirectory();
        using var sysroot = new TempDirectory();
        host.Write("conf.d/x.conf", "/from-host\n");
        string conf = sysroot.Write("etc/ld.so.conf", $"include {host.Path}/conf.d/*.conf\n");

        var result = LdSoConfReader.Read(conf, sysroot.Path);

        Assert.That(result.Directories, Is.EqualTo(new[] { sysroot.Path + "/from-host" }));
    }

    [Test]
    public void Include_cycle_gives_a_diagnostic_instead_of_a_hang()
    {
        using var dir = new TempDirectory();
        string conf = dir.Write("ld.so.conf", "/a\ninclude ld.so.conf\n/b\n");

        var result = LdSoConfReader.Read(conf, "");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Directories, Is.EqualTo(new[] { "/a", "/b" }));
            Assert.That(result.Diagnostics.Single(), Does.Contain("include cycle"));
        }
    }

    [Test]
    public void Missing_file_gives_a_diagnostic_and_no_directories()
    {
        using var dir = new TempDirectory();

        var result = LdSoConfReader.Read(Path.Combine(dir.Path, "nosuch.conf"), "");

        Assert.That((result.Directories.Count, result.FilesRead.Count, result.Diagnostics.Count), Is.EqualTo((0, 0, 1)));
    }

    [Test]
    public void Include_matching_nothing_is_silent()
    {
        using var dir = new TempDirectory();
        string conf = dir.Write("ld.so.conf", "include nothing/*.conf\ninclude\t/no/such/file.conf\n");

        var result = LdSoConfReader.Read(conf, "");

        Assert.That((result.Directories.Count, result.Diagnostics.Count), Is.EqualTo((0, 0)));
    }

    [TestCase("*.conf", "a.conf", ExpectedResult = true)]
    [TestCase("*.conf", ".a.conf", ExpectedResult = false)]
    [TestCase(".*", ".a", ExpectedResult = true)]
    [TestCase("?.c*f", "a.conf", ExpectedResult = true)]
    [TestCase("[a-c]*", "b1", ExpectedResult = true)]
    [TestCase("[!a-c]*", "b1", ExpectedResult = false)]
    [TestCase("[]x]", "]", ExpectedResult = true)]
    [TestCase("a[", "a[", ExpectedResult = true)]
    [TestCase("\\*", "*", ExpectedResult = true)]
    [TestCase("\\*", "a", ExpectedResult = false)]
    [TestCase("*a*b*c*", "xaybzc", ExpectedResult = true)]
    [TestCase("*a*b*c", "xaybzcd", ExpectedResult = false)]
    public bool Glob_matches_like_fnmatch(string pattern, string name) => Glob.Matches(pattern, name);

    [Test]
    public void Glob_expands_wildcards_in_directory_components()
    {
        using var dir = new TempDirectory();
        dir.Write("x1/f.conf", "");
        dir.Write("x2/f.conf", "");
        dir.Write("y/f.conf", "");

        Assert.That(Glob.Expand(dir.Path + "/x*/f.conf"), Is.EqualTo(new[] { dir.Path + "/x1/f.conf", dir.Path + "/x2/f.conf" }));
    }

    [Test]
    [Category("RequiresCc")]
    public void Directories_are_the_ones_ld_tries_for_a_dt_needed_entry()
    {
        Tool.RequireOnPath("gcc", "ld");
        using var dir = new TempDirectory();
        string s = Path.Combine(dir.Path, "S");
        dir.Write("S/etc/ld.so.conf", "/d1/=hwcap # x\ninclude conf.d/*.conf\n");
        dir.Write("S/etc/conf.d/a.conf", "/nonexist:/d2 /ignored\n");
        Directory.CreateDirectory(Path.Combine(s, "usr/etc"));
        dir.Write("dep.c", "int dep(void){return 1;}\n");
        dir.Write("foo.c", "int dep(void); int foo(void){return dep();}\n");
        Assert.That(Tool.Run(dir.Path, "gcc", "-fPIC", "-shared", "-o", "libdep.so.1", "-Wl,-soname,libdep.so.1", "dep.c").ExitCode, Is.Zero);
        Assert.That(Tool.Run(dir.Path, "gcc", "-fPIC", "-shared", "-o", "libfoo.so", "foo.c", "-L.", "-l:libdep.so.1").ExitCode, Is.Zero);
        File.Delete(Path.Combine(dir.Path, "libdep.so.1"));

        (_, string output) = Tool.Run(dir.Path, "ld", "--sysroot=" + s, "-o", "out", "libfoo.so", "--verbose");
        string[] attempts = Attempt().Matches(output).Select(m => m.Groups[1].Value).ToArray();

        // Debian's ld tries S/usr/etc/ld.so.conf first; it is absent here, so S/etc/ld.so.conf is used.
        var result = LdSoConfReader.Read(Path.Combine(s, "etc/ld.so.conf"), s);
        string[] expected = result.Directories.Select(d => d + "/libdep.so.1").ToArray();
        Assert.That(attempts.Take(expected.Length), Is.EqualTo(expected), output);
        Assert.That(expected, Has.Length.EqualTo(3));
    }

    [GeneratedRegex(@"attempt to open (\S+/libdep\.so\.1) failed")]
    private static partial Regex Attempt();
}
