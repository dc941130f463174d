using NativeLinkGuard.Cli;
using NativeLinkGuard.Diagnostics;

// Before the heap fills: huge pages for the GC's regions around gen 0 (HugePageHeap says why, and when not).
HugePageHeap.Apply();

// Console.Out flushes every write: a report of a thousand files is thousands of write(2) calls. stdout is buffered
// and flushed once; stderr stays unbuffered, for messages that must show at once (StandardStreams).
var stdout = StandardStreams.Output();
var stderr = StandardStreams.Error();
int code = CliApp.Run(args, stdout, stderr);
try
{
    stdout.Dispose();
}
catch (IOException e)
{
    // The last flush failed (a full disk, a closed pipe): one line like every other failure, never a crash. A run
    // that already failed with 2 said so when its own write failed.
    if (code != 2)
        stderr.WriteLine($"nativelinkguard: {DiagnosticCodes.CheckFailed}: internal error: " +
            $"{e.GetType().Name}: {e.Message}");
    return 2;
}
return code;
