using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Audit;

/// <summary>
/// The audit on real directories, each compared with the real ldconfig on the same directory: every library directory
/// of this machine that ld.so.conf and gcc name; the install tree of a CMake project with VERSION/SOVERSION built here;
/// and the machine's own libraries (zlib, bzip2, OpenSSL, ... chains), plus that install tree, copied the ways people
/// break them (cp -L, cp without -a, tar -h, rsync -L). Every suggested command is run on a scratch copy and checked.
/// </summary>
[Category("RequiresCc")]
[NonParallelizable]
public sealed class RealDirectoryAuditTests
{
    private static readonly string[] MachineFamilies = ["libz.so", "libbz2.so", "libcrypto.so", "libssl.so", "libogg.so", "libffi.so", "libexpat.so", "liblzma.so", "libpng16.so"];

    private LinkFixture _fx = null!;
    private readonly List<string> _systemDirs = [];
    private readonly List<(string Dir, string How)> _brokenDirs = [];
    private string _installLib = "";

    [OneTimeSetUp]
    public void Build()
    {
        Assert.That(LinkFixture.HasCompiler && LdconfigOracle.Exists, "gcc and /sbin/ldconfig are needed");
        _fx = new LinkFixture();
        _systemDirs.AddRange(SystemLibraryDirectories());

        // A CMake project: VERSION+SOVERSION (libfull.so -> libfull.so.2 -> libfull.so.2.1.0), SOVERSION only (abseil's
        // libX.so -> libX.so.0 with the SONAME-named regular file) and an unversioned library.
        _fx.Write("proj/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.16)
            project(sov C)
            add_library(full SHARED full.c)
            set_target_properties(full PROPERTIES VERSION 2.1.0 SOVERSION 2)
            add_library(sonly SHARED sonly.c)
            set_target_properties(sonly PROPERTIES SOVERSION 0)
            add_library(plain SHARED plain.c)
            install(TARGETS full sonly plain LIBRARY DESTINATION lib)
            """);
        foreach (var n in new[] { "full", "sonly", "plain" }) _fx.Write($"proj/{n}.c", $"int {n}(void){{return 1;}}\n");
        _fx.Sh("cmake -S proj -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build >/dev/null && cmake --install build --prefix inst >/dev/null");
        _installLib = _fx.P("inst/lib");

        // The machine's own library chains, kept intact with cp -a, then copied the ways that lose the links.
        string machine = _fx.P("machine");
        Directory.CreateDirectory(machine);
        string sys = "/usr/lib/x86_64-linux-gnu";
        var present = MachineFamilies.Where(f => File.Exists(Path.Combine(sys, f))).ToList();
        Assert.That(present, Does.Contain("libz.so").And.Count.GreaterThanOrEqualTo(3), "the machine's zlib and two more library families");
        foreach (var f in present) _fx.Sh($"cp -a {sys}/{f} {sys}/{f}.* machine/");
        bool rsync = ProcessRunner.FindOnPath("rsync", Environment.GetEnvironmentVariable("PATH")) is not null;
        foreach (var (src, name) in new[] { ("machine", "machine"), ("inst/lib", "install") })
        {
            Break($"{name}-cp-L", "cp -L", $"mkdir -p {{0}} && cp -L {src}/* {{0}}/");
            Break($"{name}-cp", "cp without -a", $"mkdir -p {{0}} && cp {src}/* {{0}}/");
            Break($"{name}-tar-h", "tar -h", $"mkdir -p {{0}} && tar -C {src} -chf - . | tar -C {{0}} -xf -");
            Break($"{name}-rsync-L", rsync ? "rsync -L" : "rsync -L (emulated by cp -L: rsync is not installed)",
                rsync ? $"rsync -rL {src}/ {{0}}/" : $"mkdir -p {{0}} && cp -L {src}/* {{0}}/");
        }
        _brokenDirs.Add((machine, "cp -a (intact)"));
        _brokenDirs.Add((_installLib, "cmake --install (intact)"));
    }

    private void Break(string dest, string how, string command)
    {
        _fx.Sh(string.Format(System.Globalization.CultureInfo.InvariantCulture, command, dest));
        _brokenDirs.Add((_fx.P(dest), how));
    }

    [OneTimeTearDown]
    public void Clean() => _fx?.Dispose();

    /// <summary>ld.so.conf's directories and gcc's library directories, as real paths, once each.</summary>
    private static List<string> SystemLibraryDirectories()
    {
        var dirs = new List<string>(LdSoConfReader.Read("/etc/ld.so.conf", "").Directories);
        var r = ProcessRunner.Run("gcc", ["-print-search-dirs"]);
        string libraries = r.StandardOutput.Split('\n').Single(l => l.StartsWith("libraries: ", StringComparison.Ordinal));
        dirs.AddRange(libraries["libraries: ".Length..].TrimStart('=').Split(':'));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (string d in dirs.Where(d => d.Length > 0 && Directory.Exists(d)))
            if (NativeMethods.RealPath(d) is { } real && seen.Add(real)) result.Add(real);
        Assert.That(result, Is.Not.Empty);
        return result;
    }

    private static void AssertAgrees(string dir, DirectoryAudit audit, LdconfigView ld, string how)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(audit.SonameLinks, Is.EquivalentTo(ld.Links), $"{dir} ({how}): SONAME -> file");
            Assert.That(Codes(audit, DiagnosticCodes.SonameNotALink), Is.EqualTo(ld.NotLinks), $"{dir} ({how}): is not a symbolic link");
            Assert.That(Codes(audit, DiagnosticCodes.BrokenSymlink), Is.EqualTo(ld.CannotStat), $"{dir} ({how}): Cannot stat");
            Assert.That(Codes(audit, DiagnosticCodes.SonameLinkWrong), Is.EqualTo(ld.Changed), $"{dir} ({how}): links ldconfig creates or changes");
            if (ld.Silent) Assert.That(audit.Findings.Where(f => f.Severity != Severity.Info).Select(f => f.Message), Is.Empty, $"{dir} ({how}): ldconfig is silent");
        }
    }

    private static SortedSet<string> Codes(DirectoryAudit audit, string code) =>
        new(audit.Findings.Where(f => f.Code == code && f.Severity != Severity.Info).Select(f => f.Library), StringComparer.Ordinal);

    [Test]
    public void Every_library_directory_of_the_machine_gets_exactly_what_ldconfig_says()
    {
        foreach (string dir in _systemDirs)
        {
            var audit = DirectoryAuditor.Audit(dir);
            var ld = LdconfigOracle.Read(dir);
            TestContext.Out.WriteLine($"{dir}: {ld.Links.Count} SONAMEs, {audit.Findings.Count(f => f.Severity != Severity.Info)} warning(s), ldconfig {(ld.Silent ? "silent" : "complains")}");
            AssertAgrees(dir, audit, ld, "system");
        }
        Assert.That(_systemDirs, Has.Some.EqualTo("/usr/lib/x86_64-linux-gnu"), "the multiarch directory is among them");
    }

    [Test]
    public void Cmake_install_trees_with_version_and_soversion_are_clean()
    {
        var audit = DirectoryAuditor.Audit(_installLib);
        var ld = LdconfigOracle.Read(_installLib);
        AssertAgrees(_installLib, audit, ld, "cmake --install");
        Assert.That(ld.Silent && audit.Findings.Count == 0, $"{string.Join("; ", audit.Findings.Select(f => f.Message))}");
        Assert.That(audit.SonameLinks, Does.ContainKey("libfull.so.2").And.ContainKey("libsonly.so.0"));
    }

    [Test]
    public void Libraries_copied_the_ways_people_break_them_get_exactly_ldconfigs_complaints()
    {
        int complaints = 0;
        foreach (var (dir, how) in _brokenDirs)
        {
            var audit = DirectoryAuditor.Audit(dir);
            var ld = LdconfigOracle.Read(dir);
            complaints += ld.NotLinks.Count;
            TestContext.Out.WriteLine($"{how} {Path.GetFileName(dir)}: ldconfig {ld.NotLinks.Count} not-a-link, {ld.Changed.Count} changed; audit {audit.Findings.Count} finding(s)");
            AssertAgrees(dir, audit, ld, how);
        }
        Assert.That(complaints, Is.GreaterThan(0), "copies that lose the links are something ldconfig complains about");
    }

    [Test]
    public void Every_suggested_command_of_every_audited_directory_is_safe_and_works()
    {
        var probe = new DlopenProbe(_fx.P("probe"));
        int commands = 0;
        foreach (var (dir, how) in _brokenDirs.Concat(_systemDirs.Select(d => (d, "system"))).Append((_installLib, "cmake --install")))
        {
            var audit = DirectoryAuditor.Audit(dir);
            var (problems, n) = FixVerifier.Verify(dir, audit, probe);
            commands += n;
            Assert.That(problems, Is.Empty, $"{dir} ({how})");
        }
        TestContext.Out.WriteLine($"{commands} suggested commands run and checked");
        Assert.That(commands, Is.GreaterThan(0), "the broken copies do get commands");
    }
}
