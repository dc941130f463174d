using System.Text;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Diagnostics;

// Console.Out flushes every write: a report of a thousand files is thousands of write(2) calls. Buffer it and
// flush once (stderr stays unbuffered, for messages that must show at once).
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16)
{
    AutoFlush = false,
};
int code = CliApp.Run(args, stdout, Console.Error);
try
{
    stdout.Dispose();
}
catch (IOException e)
{
    // The last flush failed (a full disk, a closed pipe): one line like every other failure, never a crash. A run
    // that already failed with 2 said so when its own write failed.
    if (code != 2)
        Console.Error.WriteLine($"nativelinkguard: {DiagnosticCodes.CheckFailed}: internal error: " +
            $"{e.GetType().Name}: {e.Message}");
    return 2;
}
return code;
