namespace NativeLinkGuard.Cli.CommandLine;

/// <summary>The command line is wrong: one line for the user, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
