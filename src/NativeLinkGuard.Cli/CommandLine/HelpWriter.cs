using System.Text;

namespace NativeLinkGuard.Cli.CommandLine;

/// <summary>The <c>--help</c> texts, made from the command table.</summary>
public static class HelpWriter
{
    private static readonly CliOption HelpOption = new("--help", "print this help and exit") { Alias = "-h" };

    public static string Command(CliCommand command)
    {
        var sb = new StringBuilder();
        sb.Append("usage: ").AppendLine(command.Synopsis).AppendLine();
        sb.Append("  ").AppendLine(command.Summary).AppendLine();
        sb.AppendLine("options:");
        var options = command.Options.Append(HelpOption).ToList();
        int width = options.Max(o => o.Spelling.Length) + 2;
        foreach (var o in options)
        {
            sb.Append("  ").Append(o.Spelling.PadRight(width)).Append(o.Help);
            sb.AppendLine(o.Repeatable ? " (repeatable)" : "");
        }
        if (command.Details.Length > 0) sb.AppendLine().AppendLine(command.Details.TrimEnd());
        return sb.ToString();
    }

    public static string Overview(IReadOnlyList<CliCommand> commands)
    {
        var sb = new StringBuilder();
        sb.AppendLine("usage: nativelinkguard <command> [options] [arguments]");
        sb.AppendLine("       nativelinkguard <command> --help | nativelinkguard help <command>");
        sb.AppendLine("       nativelinkguard --version");
        sb.AppendLine();
        sb.AppendLine("  Predicts, before a native build, whether GNU ld / lld will resolve the shared libraries");
        sb.AppendLine("  of each link and whether the result will load, with the exact fix.");
        sb.AppendLine();
        sb.AppendLine("commands:");
        int width = commands.Max(c => c.Name.Length) + 2;
        foreach (var c in commands) sb.Append("  ").Append(c.Name.PadRight(width)).AppendLine(c.Summary);
        sb.AppendLine();
        foreach (var c in commands) sb.Append("  ").AppendLine(c.Synopsis);
        return sb.ToString();
    }
}
