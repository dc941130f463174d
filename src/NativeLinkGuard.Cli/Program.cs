using System.Text;
using NativeLinkGuard.Cli;

// Console.Out flushes every write: a report of a thousand files is thousands of write(2) calls. Buffer it and
// flush once (stderr stays unbuffered, for messages that must show at once).
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16)
{
    AutoFlush = false,
};
try
{
    return CliApp.Run(args, stdout, Console.Error);
}
finally
{
    stdout.Flush();
}
