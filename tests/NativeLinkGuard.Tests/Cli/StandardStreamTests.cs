using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Cli;

/// <summary>
/// The CLI writes stdout and stderr with write(2) on the descriptors it inherits (StandardStreams), not through
/// Console (whose set-up costs every command about 1.5 ms) and not through FileStream, whose own file offset would let
/// the two streams of <c>… &gt; log 2&gt;&amp;1</c> overwrite each other.
/// </summary>
public sealed class StandardStreamTests
{
    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "pipe", SetLastError = true)]
    private static extern int Pipe(int[] fds);

    private const string Written = "report\nnote\nsummary\n";

    [Test]
    public void Stdout_and_stderr_on_one_file_append_in_the_order_written() =>
        Assert.That(WriteAsShellRedirects(StandardStreams.OverDescriptor), Is.EqualTo(Written));

    [Test]
    public void The_same_through_two_FileStreams_overwrites_what_the_other_wrote() =>
        // Why StandardStreams does not use FileStream: each keeps its own offset (pwrite).
        Assert.That(WriteAsShellRedirects(fd => new FileStream(new SafeFileHandle(fd, false), FileAccess.Write, 0)),
            Is.Not.EqualTo(Written));

    // "> log 2>&1": stdout and stderr are two descriptors of one open file, with one offset. Writes a report line,
    // a note and a summary line through streams OPEN makes over them; returns the file.
    private static string WriteAsShellRedirects(Func<int, Stream> open)
    {
        using var dir = new TempDirectory();
        string log = Path.Combine(dir.Path, "log");
        using (var file = new FileStream(log, FileMode.Create, FileAccess.Write))
        {
            int outFd = (int)file.SafeFileHandle.DangerousGetHandle(), errFd = Dup(outFd);
            Assert.That(errFd, Is.GreaterThanOrEqualTo(0));
            try
            {
                using var stdout = open(outFd);
                using var stderr = open(errFd);
                stdout.Write("report\n"u8);
                stderr.Write("note\n"u8);
                stdout.Write("summary\n"u8);
            }
            finally { Close(errFd); }
        }
        return File.ReadAllText(log);
    }

    [Test]
    public void A_reader_gone_discards_the_output_as_Console_does()
    {
        var fds = new int[2];
        Assert.That(Pipe(fds), Is.EqualTo(0));
        Close(fds[0]);
        try
        {
            using var stdout = StandardStreams.OverDescriptor(fds[1]);
            Assert.DoesNotThrow(() => stdout.Write("lost\n"u8));
        }
        finally { Close(fds[1]); }
    }
}
