using NativeLinkGuard.Audit;
using NativeLinkGuard.Cli.CommandLine;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard audit [options] &lt;dir&gt;...</c>: soname symlink chains by ldconfig's rules; changes nothing.
/// Exit code 0 clean (info only), 1 findings, 2 usage error.
/// </summary>
public static class AuditCommand
{
    public static CliCommand Definition { get; } = new("audit",
        "checks the soname symlink chains of library directories by ldconfig's rules; changes nothing",
        [CliOption.Format("text", "json")],
        Run)
    {
        Arguments = "<dir>...",
        MinArguments = 1,
        Details = "exit code: 0 clean (information only), 1 findings, 2 usage error",
    };

    private static int Run(ParsedArguments args, TextWriter stdout, TextWriter stderr)
    {
        string format = args.Value("--format", "text")!;
        var dirs = args.Arguments.Select(Path.GetFullPath).ToList();
        var audits = dirs.Select(DirectoryAuditor.Audit).ToList();
        stdout.Write(format == "json" ? AuditReportWriter.Json(audits) : AuditReportWriter.Text(audits));
        return ExitPolicy.ForAudit(audits);
    }
}
