using System.Runtime.InteropServices;
using System.Text;

namespace NativeLinkGuard.Cli;

/// <summary>
/// stdout and stderr as plain write(2) calls on descriptors 1 and 2. .NET's Console streams initialise the console
/// before their first write (a terminal query, signal handlers and a signal-handling thread): about 1.5 ms of a 9 ms
/// `--help`, and of every command, measured on the NativeAOT binary. Not a FileStream:
/// on a regular file it writes at its own remembered offset (pwrite), so <c>… &gt; log 2&gt;&amp;1</c> would let stdout
/// and stderr overwrite each other; write(2) appends at the shared file offset, as Console does. Errors as Console
/// treats them: a reader gone (EPIPE) or a closed descriptor discards the output, any other error (a full disk)
/// throws. Elsewhere than Linux, Console's streams.
/// </summary>
internal static class StandardStreams
{
    /// <summary>stdout, buffered: written out at a flush (a report of a thousand files is one write per 64 KiB).
    /// </summary>
    public static StreamWriter Output() => new(Open(1, Console.OpenStandardOutput), new UTF8Encoding(false), 1 << 16)
    {
        AutoFlush = false,
    };

    /// <summary>stderr, unbuffered: its messages show at once.</summary>
    public static StreamWriter Error() => new(Open(2, Console.OpenStandardError), new UTF8Encoding(false), 1024)
    {
        AutoFlush = true,
    };

    private static Stream Open(int fd, Func<Stream> console) =>
        OperatingSystem.IsLinux() ? OverDescriptor(fd) : console();

    /// <summary>A write-only stream of write(2) calls on FD, which stays open when the stream is disposed.</summary>
    internal static Stream OverDescriptor(int fd) => new DescriptorStream(fd);

    /// <summary>A write-only stream over an inherited descriptor (not closed with the stream).</summary>
    private sealed class DescriptorStream(int fd) : Stream
    {
        private const int EINTR = 4, EBADF = 9, EAGAIN = 11, EPIPE = 32;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                nint n = WriteNative(fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
                if (n >= 0)
                {
                    buffer = buffer[(int)n..];
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR) continue;
                if (errno is EPIPE or EBADF) return;
                // A descriptor the parent left non-blocking: wait until it takes more, as Console does.
                if (errno == EAGAIN)
                {
                    var p = new PollFd { Fd = fd, Events = PollOut };
                    _ = PollNative(ref p, 1, -1);
                    continue;
                }
                throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        private const short PollOut = 4;

        [StructLayout(LayoutKind.Sequential)]
        private struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [DllImport("libc", EntryPoint = "write", SetLastError = true)]
        private static extern nint WriteNative(int fd, ref byte buffer, nint count);

        [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
        private static extern int PollNative(ref PollFd fds, nuint count, int timeout);
    }
}
