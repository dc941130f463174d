using Microsoft.Build.Framework;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Tasks;

/// <summary>
/// Base of our tasks: Execute is sealed so that any failure of the check becomes one NLG9001 warning and the build
/// goes on — the check must never be what breaks a build, unless gating asks for errors.
/// </summary>
public abstract class NativeLinkGuardTask : Microsoft.Build.Utilities.Task
{
    public const string Subcategory = "NativeLinkGuard";

    public sealed override bool Execute()
    {
        try
        {
            ExecuteCore();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever went wrong inside the check, it is one warning and the build goes on: a guard must never be
            // the thing that breaks a build. The exception type is kept for the bug report.
            LogCheckFailed(null, $"NativeLinkGuard could not run the check: {e.GetType().Name}: {e.Message}");
        }
        return !Log.HasLoggedErrors;
    }

    protected abstract void ExecuteCore();

    /// <summary>
    /// A finding at the level <see cref="ExitPolicy"/> gives it (an error only when <paramref name="gate"/>).
    /// </summary>
    protected void LogFinding(
        string code, Severity severity, bool gate, string message, string? file, int line = 0, string? helpLink = null)
    {
        helpLink ??= DiagnosticCodes.HelpLink(code);
        switch (ExitPolicy.LevelOf(severity, gate))
        {
            case FindingLevel.Message:
                Log.LogMessage(MessageImportance.High, "{0}: {1}", code, message);
                break;
            case FindingLevel.Error:
                Log.LogError(Subcategory, code, null, helpLink, file, line, 0, 0, 0, "{0}", message);
                break;
            default:
                Log.LogWarning(Subcategory, code, null, helpLink, file, line, 0, 0, 0, "{0}", message);
                break;
        }
    }

    /// <summary>NLG9001: a part of the check could not run; one warning, and the build goes on.</summary>
    protected void LogCheckFailed(string? file, string message) =>
        LogFinding(DiagnosticCodes.CheckFailed, Severity.Warning, gate: false, message, file);
}
