using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Reporting;

namespace NativeLinkGuard.Cli;

/// <summary>
/// <c>nativelinkguard audit &lt;dir&gt;... [--format text|json]</c>: soname symlink chains by ldconfig's rules; changes nothing.
/// Exit code 0 clean (info only), 1 findings, 2 usage error.
/// </summary>
public static class AuditCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string format = "text";
        var dirs = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--format" && i + 1 < args.Length) format = args[++i];
            else if (args[i].StartsWith('-')) { stderr.WriteLine($"nativelinkguard: unknown option '{args[i]}'"); return 2; }
            else dirs.Add(Path.GetFullPath(args[i]));
        }
        if (dirs.Count == 0 || format is not ("text" or "json"))
        {
            stderr.WriteLine("usage: nativelinkguard audit <dir>... [--format text|json]");
            return 2;
        }
        var audits = dirs.Select(DirectoryAuditor.Audit).ToList();
        stdout.Write(format == "json" ? AuditReportWriter.Json(audits) : AuditReportWriter.Text(audits));
        return audits.Any(a => a.Findings.Any(f => f.Severity != Severity.Info)) ? 1 : 0;
    }
}
