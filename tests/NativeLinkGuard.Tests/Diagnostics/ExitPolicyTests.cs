using NativeLinkGuard.Audit;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Tests.Diagnostics;

/// <summary>One exit-code policy for every front end: the CLI's codes and the tasks' log levels.</summary>
public sealed class ExitPolicyTests
{
    private static Finding F(string code, Severity severity) =>
        new() { Code = code, Severity = severity, Message = "m", LdMessage = "ld" };

    private static LinkReport Link(PredictedOutcome outcome, params Finding[] findings) =>
        new("app", outcome, findings, null, [], [], 0);

    [Test]
    public void Links_exit_2_when_one_could_not_be_checked_1_when_one_fails_else_0()
    {
        var fails = Link(PredictedOutcome.Fails, F(DiagnosticCodes.IndirectDependencyNotFound, Severity.Error));
        var warns = Link(PredictedOutcome.Succeeds, F(DiagnosticCodes.StubsInRuntimePath, Severity.Warning));
        var unchecked_ = Link(PredictedOutcome.Fails, Finding.CheckFailed("the link could not be checked"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ExitPolicy.ForLinks([]), Is.EqualTo(ExitPolicy.Clean));
            Assert.That(ExitPolicy.ForLinks([warns]), Is.EqualTo(ExitPolicy.Clean));
            Assert.That(ExitPolicy.ForLinks([warns, fails]), Is.EqualTo(ExitPolicy.Failed));
            Assert.That(ExitPolicy.ForLinks([fails, unchecked_]), Is.EqualTo(ExitPolicy.CouldNotRun));
        }
    }

    [Test]
    public void Runtime_fails_when_a_file_does_not_load_and_audit_on_anything_but_information()
    {
        var loads = new RuntimeFileReport("/a.so", true, [F(DiagnosticCodes.DriverLibraryAtRunTime, Severity.Info)], [], []);
        var fails = loads with { Path = "/b.so", Loadable = false };
        var info = new DirectoryAudit("/d", [F(DiagnosticCodes.ShlibUndefinedAllowed, Severity.Info)], new Dictionary<string, string>());
        var copy = info with { Findings = [F(DiagnosticCodes.SonameNotALink, Severity.Warning)] };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ExitPolicy.ForRuntime([loads]), Is.EqualTo(ExitPolicy.Clean));
            Assert.That(ExitPolicy.ForRuntime([loads, fails]), Is.EqualTo(ExitPolicy.Failed));
            Assert.That(ExitPolicy.ForAudit([info]), Is.EqualTo(ExitPolicy.Clean));
            Assert.That(ExitPolicy.ForAudit([info, copy]), Is.EqualTo(ExitPolicy.Failed));
        }
    }

    [TestCase(Severity.Info, false, FindingLevel.Message)]
    [TestCase(Severity.Info, true, FindingLevel.Message)]
    [TestCase(Severity.Warning, false, FindingLevel.Warning)]
    [TestCase(Severity.Warning, true, FindingLevel.Warning)]
    [TestCase(Severity.Error, false, FindingLevel.Warning)]
    [TestCase(Severity.Error, true, FindingLevel.Error)]
    public void Only_gating_makes_an_error_break_the_build(Severity severity, bool gate, FindingLevel level) =>
        Assert.That(ExitPolicy.LevelOf(severity, gate), Is.EqualTo(level));
}
