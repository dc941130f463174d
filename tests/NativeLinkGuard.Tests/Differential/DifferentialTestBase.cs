using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// Each scenario: build fixtures with gcc, run the real link, run the check, and assert they agree on success and
/// on which libraries are missing; for a failing link, apply our first suggestion and assert the real link succeeds.
/// </summary>
[Category("RequiresCc")]
public abstract class DifferentialTestBase
{
    protected const string Dep = "int dep_fn(void){return 1;}\n";
    protected const string FooNeedsDep = "int dep_fn(void);\nint foo_fn(void){return dep_fn();}\n";
    protected const string Foo = "int foo_fn(void){return 1;}\n";
    protected const string MainUsesFoo = "int foo_fn(void);\nint main(void){return foo_fn()-1;}\n";

    protected LinkFixture Fx { get; private set; } = null!;

    [SetUp]
    public void CreateFixture()
    {
        Tool.RequireOnPath("gcc");
        Fx = new LinkFixture();
    }

    /// <summary>Issue 7: on every scenario, every prediction made equals the real linker's exit status.</summary>
    [TearDown]
    public void PredictionsMatchTheRealLinkerThenDeleteFixture()
    {
        try
        {
            if (Fx is null) return;
            foreach (var c in Fx.Comparisons)
                Assert.That(c.PredictedSuccess, Is.EqualTo(c.RealSuccess),
                    $"predictedOutcome vs the real linker's exit status for: {c.Command}\nlinker said:\n{c.StandardError}\nfindings: {c.Findings}");
        }
        finally
        {
            Fx?.Dispose();
        }
    }

    /// <summary>libfoo.so (needs libdep.so.1) in build/, libdep.so.1 in deps/, main.o in the root.</summary>
    protected void FooNeedingDepIn(string depDir = "deps", string fooExtra = "")
    {
        Fx.SharedLib($"{depDir}/libdep.so.1", Dep, soname: "libdep.so.1");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: $"{depDir}/libdep.so.1 {fooExtra}");
        Fx.Object("main.o", MainUsesFoo);
    }

    protected static string[] Gcc(params string[] args) => ["gcc", .. args];

    /// <summary>
    /// <c>noFixBecause</c>: why the first suggestion is not expected to be a proper fix (nothing in the fixture provides
    /// what is missing, a user file would have to be edited, or the advisor does not find it yet: issue 15). Even then
    /// every suggestion labelled proper must make the real link succeed.
    /// </summary>
    /// <returns>The check's report, for extra assertions.</returns>
    protected LinkReport AssertAgreesWithLd(string[] command, bool expectSuccess, string[]? hints = null, string? noFixBecause = null)
    {
        var real = Fx.RealLink(command);
        var report = Fx.Check(command, hints ?? []);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(real.Succeeded, Is.EqualTo(expectSuccess), $"the scenario itself: real ld said\n{real.StandardError}");
            Assert.That(report.PredictedOutcome == PredictedOutcome.Succeeds, Is.EqualTo(real.Succeeded),
                $"prediction vs real ld (stderr:\n{real.StandardError})\nfindings: {string.Join("; ", report.Findings.Select(f => f.Code + " " + f.Message))}");
            Assert.That(LinkFixture.Missing(report), Is.EqualTo(real.Missing), "missing libraries");
        }
        if (!real.Succeeded && noFixBecause is null)
            AssertFirstSuggestionFixes(command, report);
        else if (!real.Succeeded)
            AssertProperSuggestionsFix(command, report);
        return report;
    }

    /// <summary>
    /// A suggestion labelled proper is a claim the real linker can check: applied alone, the linker no longer says
    /// what its finding predicted (the link may then stop at a problem ld had not reached before).
    /// </summary>
    protected void AssertProperSuggestionsFix(string[] command, LinkReport report)
    {
        foreach (var f in report.Findings.Where(f => f.Severity == Severity.Error))
            foreach (var s in f.Suggestions.Where(s => s.Quality == SuggestionQuality.Proper))
            {
                var (fixedCommand, env) = Fx.Apply(s, command);
                var after = Fx.RealLink(fixedCommand, env);
                Assert.That(after.Succeeded || !LinkFixture.Says(after.StandardError, f.LdMessage), Is.True,
                    $"'{s.Summary}' is labelled proper, but after it ({string.Join(' ', fixedCommand)}) the linker still said '{f.LdMessage}':\n{after.StandardError}");
            }
    }

    /// <summary>
    /// The finding's "ld will say" line is a line of what the real linker said for the same link (the last check's,
    /// or the check of <paramref name="command"/>): compared with the real stderr, never with a copied string.
    /// </summary>
    protected void AssertLinkerSaid(string? ldMessage, string[]? command = null)
    {
        var c = command is null ? Fx.Comparisons[^1] : Fx.Comparisons.Last(x => x.Command == string.Join(' ', command));
        Assert.That(LinkFixture.Says(c.StandardError, ldMessage), Is.True, $"'{ldMessage}' is not a line the linker said for {c.Command}:\n{c.StandardError}");
    }

    protected void AssertFirstSuggestionFixes(string[] command, LinkReport report)
    {
        var failing = report.Findings.First(f => f.Severity == Severity.Error);
        Assert.That(failing.Suggestions, Is.Not.Empty, $"{failing.Code} {failing.Message} has no suggestion");
        var first = failing.Suggestions[0];
        Assert.That(first.Quality, Is.EqualTo(SuggestionQuality.Proper), first.Summary);
        var (fixedCommand, env) = Fx.Apply(first, command);
        var after = Fx.RealLink(fixedCommand, env);
        Assert.That(after.Succeeded, Is.True, $"after applying '{first.Summary}' ({string.Join(' ', fixedCommand)}) real ld said:\n{after.StandardError}");
    }
}
