using NativeLinkGuard.Cli.CommandLine;

namespace NativeLinkGuard.Cli;

/// <summary>The commands of <c>nativelinkguard</c>, in the order <c>--help</c> lists them.</summary>
public static class CliApp
{
    public static IReadOnlyList<CliCommand> All { get; } =
        [
            CheckCommand.Definition, CMakeCommand.Definition, AuditCommand.Definition, RuntimeCommand.Definition,
            PInvokeCommand.Definition,
        ];


    /// <summary>The whole command line, as <c>Main</c> gets it. Returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Dispatcher.Run(All, args, stdout, stderr);
}
