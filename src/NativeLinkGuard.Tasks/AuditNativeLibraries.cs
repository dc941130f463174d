using Microsoft.Build.Framework;
using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// Audits the library directories a project ships or links from (<c>NativeLibraryDirectory</c> items) for broken
/// soname chains, by ldconfig's rules; changes nothing. Findings are warnings with the exact commands.
/// </summary>
public sealed class AuditNativeLibraries : NativeLinkGuardTask
{
    /// <summary>The directories to audit (relative ones are taken from <see cref="ProjectDirectory"/>).</summary>
    public ITaskItem[] Directories { get; set; } = [];

    /// <summary>The project directory.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>Findings other than information.</summary>
    [Output]
    public int Problems { get; private set; }

    protected override void ExecuteCore()
    {
        foreach (var item in Directories)
        {
            string dir = Path.GetFullPath(Path.Combine(ProjectDirectory, item.ItemSpec));
            string file = item.GetMetadata("DefiningProjectFullPath") is { Length: > 0 } p
                ? p
                : BuildEngine.ProjectFileOfTaskNode;
            foreach (var f in DirectoryAuditor.Audit(dir).Findings)
            {
                if (ExitPolicy.IsProblem(f)) Problems++;
                // The audit's commands name the directory's files relatively: they run inside it.
                LogFinding(f.Code, f.Severity, gate: false, OneLineFix.Line(dir, f, runIn: dir), file);
            }
        }
    }
}
