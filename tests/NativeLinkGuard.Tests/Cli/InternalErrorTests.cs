using NativeLinkGuard.Cli;
using NativeLinkGuard.Tests.Differential;

namespace NativeLinkGuard.Tests.Cli;

/// <summary>
/// One error path for every command: whatever throws (here: the report cannot be written, as when stdout is closed)
/// is one <c>NLG9001: internal error</c> line and exit 2, never a stack trace. cmake's case is in CMakeCommandTests.
/// </summary>
[Category("RequiresCc")]
public sealed class InternalErrorTests
{
    internal static void AssertInternalError(string command, params string[] args)
    {
        var closed = new StringWriter();
        closed.Dispose();
        var err = new StringWriter();
        int code = CliApp.Run([command, .. args], closed, err);
        Assert.That(code, Is.EqualTo(2), err.ToString());
        // Notes the command printed before may come first; the error is the last line and nothing follows it.
        string[] lines = err.ToString().TrimEnd('\n').Split('\n');
        Assert.That(lines[^1],
            Does.Match($"^nativelinkguard {command}: NLG9001: internal error: ObjectDisposedException: "));
        Assert.That(lines.Count(l => l.Contains("NLG9001")), Is.EqualTo(1));
        Assert.That(lines, Has.None.StartsWith("   at "), "no stack trace");
    }

    [Test]
    public void Check_audit_and_runtime_turn_an_exception_into_NLG9001()
    {
        Assume.That(LinkFixture.HasCompiler);
        using var fx = new LinkFixture();
        fx.SharedLib("lib/libfoo.so", "int foo(void) { return 1; }", "libfoo.so");
        fx.Object("main.o", "int foo(void);\nint main(void){return foo();}\n");
        using (Assert.EnterMultipleScope())
        {
            AssertInternalError("check", "--cwd", fx.Root, "--", "gcc", "-o", "app", "main.o", "-Llib", "-lfoo");
            AssertInternalError("audit", fx.P("lib"));
            AssertInternalError("runtime", fx.P("lib/libfoo.so"), "--ld-library-path", "");
            // JSON of several files is made on a second thread (ReadAhead): the writer's exception still ends it here.
            AssertInternalError("runtime", fx.P("lib/libfoo.so"), fx.P("lib/libfoo.so"), "--format", "json",
                "--ld-library-path", "");
        }
    }
}

/// <summary>The report's last flush, after the command ran, fails the same way: stdout on a full disk.</summary>
public sealed class StdoutFlushErrorTests
{
    [Test]
    public void A_failed_last_flush_is_NLG9001_and_exit_2_not_a_crash()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "nativelinkguard");
        Assert.That(File.Exists(cli) && File.Exists("/dev/full"), "the CLI's apphost and /dev/full");
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", "\"$0\" --help > /dev/full", cli])
        {
            RedirectStandardError = true,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(p.ExitCode, Is.EqualTo(2), err);
            Assert.That(err, Does.Match("^nativelinkguard: NLG9001: internal error: IOException: .*\n$"));
            Assert.That(err, Does.Not.Contain("Unhandled exception"));
        }
    }
}
