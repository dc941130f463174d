using System.Diagnostics;
using NativeLinkGuard.Audit;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Robustness;

/// <summary>
/// Hostile file systems under check, runtime, audit and the ld.so.conf reader: FIFOs and devices named as libraries
/// (never opened, so never blocking), symlink loops, a 100,000-entry directory, names with a newline or invalid UTF-8,
/// search paths into /proc, and (as an unprivileged user) directories and files without permission. Each gives a
/// finding or a clean error within a deadline.
/// </summary>
[Category("RequiresCc")]
public sealed class HostileFileSystemTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private LinkFixture _fx = null!;

    [SetUp]
    public void Create()
    {
        Tool.RequireOnPath("gcc");
        _fx = new LinkFixture();
        _fx.SharedLib("good/libfoo.so", "int foo(void) { return 1; }", "libfoo.so");
        _fx.Object("main.o", "int foo(void); int main(void) { return foo(); }");
        _fx.SharedLib("app/libtop.so", "int foo(void); int t(void) { return foo(); }", "libtop.so", "-Wl,--no-as-needed good/libfoo.so");
    }

    [TearDown]
    public void Clean()
    {
        if (_fx is null) return;
        _fx.Sh("chmod -R u+rwx . 2>/dev/null || true");
        _fx.Dispose();
    }

    private static T Within<T>(Func<T> work, string what)
    {
        var task = Task.Run(work);
        Assert.That(task.Wait(Deadline), Is.True, $"{what}: must finish within {Deadline.TotalSeconds} s");
        return task.Result;
    }

    // The checker alone: the real ld would block on a FIFO named like a library (it opens it), so it is not run here.
    private global::NativeLinkGuard.Diagnostics.LinkReport Check(params string[] libDirs) =>
        Within(() => new global::NativeLinkGuard.LinkChecker().Check(new global::NativeLinkGuard.CheckRequest(
            ["gcc", "-o", "out", "main.o", .. libDirs.Select(d => "-L" + d), "-lfoo"], _fx.Root, _fx.Environment)), "check");

    private RuntimeFileReport Runtime(string runpathDirs)
    {
        _fx.SharedLib("app/librt.so", "int foo(void); int t(void) { return foo(); }", "librt.so",
            $"-Wl,--no-as-needed good/libfoo.so -Wl,-rpath,{runpathDirs}");
        return Within(() => new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root, LdLibraryPath = "" }).Check(_fx.P("app/librt.so")), "runtime");
    }

    [Test]
    public void Fifos_and_devices_named_as_libraries_are_never_opened()
    {
        _fx.Sh("mkdir -p odd && mkfifo odd/libfoo.so odd/libfoo.so.1 && ln -s /dev/zero odd/libbar.so && ln -s /dev/zero odd/libbar.so.1");
        var report = Check("odd", "good");
        Assert.That(report.Findings.Select(f => f.Code), Is.SubsetOf(new[] { "NLG0014", "NLG0001", "NLG0003" }), "a finding, not a crash");
        var rt = Runtime($"{_fx.P("odd")}:{_fx.P("good")}");
        Assert.That(rt.Findings, Is.Not.Null);
        var audit = Within(() => DirectoryAuditor.Audit(_fx.P("odd")), "audit");
        Assert.That(audit, Is.Not.Null);
        // Response files that are a FIFO or a /proc file that never ends: left as literal arguments, as libiberty does.
        var rsp = Within(() => global::NativeLinkGuard.Commands.ResponseFiles.Expand(["gcc", "@odd/libfoo.so", "@/proc/self/pagemap", "-o", "x"], _fx.Root, []), "response files");
        Assert.That(rsp, Does.Contain("@odd/libfoo.so"));
        _fx.Write("etc/ld.so.conf", $"include {_fx.P("odd")}/libfoo.so\n/opt/x\n");
        var conf = Within(() => LdSoConfReader.Read(_fx.P("etc/ld.so.conf"), ""), "ld.so.conf");
        Assert.That(conf.Directories, Does.Contain("/opt/x"));
    }

    [Test]
    public void Symlink_loops_agree_with_the_real_ld()
    {
        _fx.Sh("mkdir -p loop && ln -s libfoo.so loop/libfoo.so && ln -s a loop/b && ln -s b loop/a");
        var report = Check("loop", "good");
        var real = _fx.RealLink(["gcc", "-o", "out", "main.o", "-Lloop", "-Lgood", "-lfoo"]);
        Assert.That(report.PredictedOutcome == global::NativeLinkGuard.Diagnostics.PredictedOutcome.Succeeds, Is.EqualTo(real.Succeeded), real.StandardError);
        Assert.That(Within(() => DirectoryAuditor.Audit(_fx.P("loop")), "audit").Findings.Select(f => f.Code), Has.Some.EqualTo("NLG0010"));
        _fx.Write("etc/ld.so.conf", "include a.conf\n/opt/x\n");
        _fx.Write("etc/a.conf", "include ld.so.conf\n/opt/y\n");
        var conf = Within(() => LdSoConfReader.Read(_fx.P("etc/ld.so.conf"), ""), "ld.so.conf include cycle");
        Assert.That(conf.Directories, Is.SupersetOf(new[] { "/opt/x", "/opt/y" }));
    }

    [Test]
    public void A_directory_with_100000_entries_is_searched_in_bounded_time()
    {
        _fx.Sh("mkdir -p big && cd big && seq 1 100000 | sed 's/^/libfiller/;s/$/.so/' | xargs touch && cp ../good/libfoo.so .");
        var sw = Stopwatch.StartNew();
        var report = Check("big");
        Assert.That(report.Findings.Where(f => f.Severity == global::NativeLinkGuard.Diagnostics.Severity.Error), Is.Empty);
        Assert.That(Runtime(_fx.P("big")).Loadable, Is.True);
        var audit = Within(() => DirectoryAuditor.Audit(_fx.P("big")), "audit");
        Assert.That(audit.Findings.Where(f => f.Code == "NLG9001"), Is.Empty);
        TestContext.Out.WriteLine($"check + runtime + audit of a 100,000-entry directory: {sw.ElapsedMilliseconds} ms");
    }

    [Test]
    public void Names_with_a_newline_or_invalid_utf8_and_paths_into_proc()
    {
        _fx.Sh("mkdir -p \"nl\nname\" && cp good/libfoo.so \"nl\nname/\" && printf x > \"nl\nname/lib$(printf '\\377')bad.so.1\"");
        Assert.That(Check("nl\nname").Findings.Where(f => f.Severity == global::NativeLinkGuard.Diagnostics.Severity.Error), Is.Empty);
        Assert.That(Within(() => DirectoryAuditor.Audit(_fx.P("nl\nname")), "audit"), Is.Not.Null);
        var proc = Check("/proc", "/proc/self/fd", "/proc/self/task", "good");
        Assert.That(proc.Findings.Where(f => f.Severity == global::NativeLinkGuard.Diagnostics.Severity.Error), Is.Empty);
        Assert.That(Runtime($"/proc/self/fd:/proc:{_fx.P("good")}").Loadable, Is.True);
        Assert.That(Within(() => DirectoryAuditor.Audit("/proc/self/fd"), "audit /proc"), Is.Not.Null);
        _fx.Write("etc/ld.so.conf", "include /proc/self/*\n/opt/z\n");
        Assert.That(Within(() => LdSoConfReader.Read(_fx.P("etc/ld.so.conf"), ""), "ld.so.conf into /proc").Directories, Does.Contain("/opt/z"));
    }

    [Test]
    public void Permission_denied_directories_and_files_as_an_unprivileged_user()
    {
        Tool.Require(Environment.UserName == "root" && File.Exists("/usr/bin/setpriv"), "needs root to drop to nobody with setpriv");
        string cli = Path.Combine(Repository.Root, "src", "NativeLinkGuard.Cli", "bin", Repository.Configuration, "net10.0", "nativelinkguard");
        Tool.Require(File.Exists(cli), "the CLI is built with the solution");
        _fx.Sh("mkdir -p locked noread && cp good/libfoo.so locked/ && cp good/libfoo.so noread/ && chmod 000 locked && chmod 000 noread/libfoo.so && chmod -R o+rX good app main.o . && chmod 000 locked");
        var env = new Dictionary<string, string?>(_fx.Environment) { ["HOME"] = "/tmp", ["XDG_CACHE_HOME"] = null, ["DOTNET_CLI_HOME"] = "/tmp" };
        ProcessResult AsNobody(string program, params string[] args) =>
            ProcessRunner.Run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", program, .. args], env, _fx.Root, timeoutMs: 60_000);

        // Each command's exit status is the real tool's verdict as the same user: 0 when it links/loads, else 1.
        string[] link = ["gcc", "-o", "/tmp/nlg-app-" + Guid.NewGuid().ToString("N")[..8], "main.o", "-Llocked", "-Lnoread", "-Lgood", "-lfoo"];
        var realLink = AsNobody(link[0], link[1..]);
        var check = AsNobody(cli, ["check", "--", .. link]);
        Assert.That(check.TimedOut, Is.False);
        Assert.That(check.ExitCode, Is.EqualTo(realLink.ExitCode == 0 ? 0 : 1), $"real ld as nobody:\n{realLink.StandardError}\ncheck:\n{check.StandardOutput}{check.StandardError}");
        Assert.That(check.StandardError, Does.Not.Contain("Unhandled exception"));
        // A directory nobody may list is reported (a warning), so the audit of it is not clean.
        var audit = AsNobody(cli, "audit", _fx.P("locked"), _fx.P("noread"));
        Assert.That(audit.ExitCode, Is.EqualTo(1), audit.StandardOutput + audit.StandardError);
        Assert.That(audit.StandardOutput, Does.Contain(_fx.P("locked")));
        Assert.That(audit.StandardError, Does.Not.Contain("Unhandled exception"));
        string llp = $"{_fx.P("locked")}:{_fx.P("noread")}:{_fx.P("good")}";
        var realLoad = ProcessRunner.Run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "LD_TRACE_LOADED_OBJECTS=1", "LD_LIBRARY_PATH=" + llp, Tool.SystemFile("ld-linux-x86-64.so.2"), _fx.P("app/libtop.so")], env, _fx.Root);
        var rt = AsNobody(cli, "runtime", "--ld-library-path", llp, _fx.P("app/libtop.so"));
        Assert.That(rt.ExitCode, Is.EqualTo(realLoad.ExitCode == 0 && !realLoad.StandardOutput.Contains("not found") ? 0 : 1),
            $"real ld.so as nobody:\n{realLoad.StandardOutput}{realLoad.StandardError}\nruntime:\n{rt.StandardOutput}{rt.StandardError}");
        Assert.That(rt.StandardError, Does.Not.Contain("Unhandled exception"));
    }
}
