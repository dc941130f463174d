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
            Log.LogWarning(Subcategory, DiagnosticCodes.CheckFailed, null, DocsLink(DiagnosticCodes.CheckFailed), null, 0, 0, 0, 0,
                "NativeLinkGuard could not run the check: {0}: {1}", e.GetType().Name, e.Message);
        }
        return !Log.HasLoggedErrors;
    }

    protected abstract void ExecuteCore();

    protected static string DocsLink(string code) => $"https://github.com/nativelinkguard/nativelinkguard/blob/main/docs/codes.md#{code.ToLowerInvariant()}";
}
