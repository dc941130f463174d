using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Cli.CommandLine;

/// <summary>
/// <c>nativelinkguard &lt;command&gt; ...</c>: picks the command, parses its options from its table and runs it,
/// with one error path for all: a usage mistake is one line <c>nativelinkguard &lt;cmd&gt;: problem</c> plus a usage
/// hint, and any exception is <c>NLG9001: internal error</c>; both exit 2.
/// </summary>
public static class Dispatcher
{
    public static int Run(IReadOnlyList<CliCommand> commands, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.Write(HelpWriter.Overview(commands));
            return 2;
        }
        switch (args[0])
        {
            case "-h" or "--help":
                stdout.Write(HelpWriter.Overview(commands));
                return 0;
            case "--version":
                stdout.WriteLine(Version);
                return 0;
            case "help" when args.Length == 1:
                stdout.Write(HelpWriter.Overview(commands));
                return 0;
            case "help":
                if (Find(commands, args[1]) is not { } about)
                    return Fail(stderr, "nativelinkguard help", $"unknown command '{args[1]}'", HelpUsage);
                if (args.Length > 2)
                    return Fail(stderr, "nativelinkguard help", $"unexpected argument '{args[2]}'", HelpUsage);
                stdout.Write(HelpWriter.Command(about));
                return 0;
        }
        if (Find(commands, args[0]) is not { } command)
        {
            string names = ArgumentParser.OneOf(commands.Select(c => c.Name).ToList());
            return Fail(stderr, "nativelinkguard", $"unknown command '{args[0]}' ({names})",
                "nativelinkguard <command> [options]  (nativelinkguard --help: the commands)");
        }

        string who = "nativelinkguard " + command.Name;
        try
        {
            var parsed = ArgumentParser.Parse(command, args[1..]);
            if (parsed.HelpRequested)
            {
                stdout.Write(HelpWriter.Command(command));
                return 0;
            }
            return command.Run(parsed, stdout, stderr);
        }
        catch (CliUsageException e)
        {
            return Fail(stderr, who, e.Message, $"{command.Synopsis}  ({who} --help: every option)");
        }
        catch (Exception e)
        {
            // The check must never be what breaks a build, whichever command it is: report and exit 2.
            stderr.WriteLine($"{who}: {DiagnosticCodes.CheckFailed}: internal error: {e.GetType().Name}: {e.Message}");
            return 2;
        }
    }

    public static string Version => typeof(Dispatcher).Assembly.GetName().Version?.ToString(3) ?? "0";

    private const string HelpUsage = "nativelinkguard help <command>";

    private static CliCommand? Find(IReadOnlyList<CliCommand> commands, string name) =>
        commands.FirstOrDefault(c => c.Name == name);

    private static int Fail(TextWriter stderr, string who, string problem, string usage)
    {
        stderr.WriteLine($"{who}: {problem}");
        stderr.WriteLine($"usage: {usage}");
        return 2;
    }
}
