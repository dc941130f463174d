using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>Symbol-level scenarios: besides the outcome, the codes and the symbol names must be the linker's.</summary>
public abstract class SymbolDifferentialTestBase : DifferentialTestBase
{
    /// <summary>
    /// Runs the real link and the check; asserts outcome (and the first fix, via the base), the set of codes, and that
    /// the symbols our findings name are the ones the linker names (ld stops at the first "DSO missing" symbol, so for
    /// NLG0008 its symbol must be among ours).
    /// </summary>
    protected LinkReport AssertSymbolsAgree(string[] command, bool expectSuccess, string[] codes, string[]? hints = null, string? noFixBecause = null)
    {
        var real = Fx.RealLink(command);
        var report = AssertAgreesWithLd(command, expectSuccess, hints, noFixBecause);
        var ours = report.Findings.Where(f => f.Symbols is not null).ToList();
        var linkerSymbols = LinkFixture.UndefinedSymbols(real.StandardError);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Findings.Select(f => f.Code).Distinct().Order(), Is.EqualTo(codes.Distinct().Order()),
                $"codes (linker said:\n{real.StandardError})");
            var exact = ours.Where(f => f.Code != DiagnosticCodes.DsoMissingFromCommandLine).SelectMany(f => f.Symbols!).ToHashSet(StringComparer.Ordinal);
            var dso = ours.Where(f => f.Code == DiagnosticCodes.DsoMissingFromCommandLine).SelectMany(f => f.Symbols!).ToHashSet(StringComparer.Ordinal);
            Assert.That(linkerSymbols.Where(s => !dso.Contains(s)), Is.EquivalentTo(exact), $"symbol names (linker said:\n{real.StandardError})");
            Assert.That(dso.Count == 0 || linkerSymbols.Any(dso.Contains), Is.True, "the linker's DSO-missing symbol is among ours");
        }
        if (!real.Succeeded && noFixBecause is null) AssertEverySuggestionFixes(command, report);
        return report;
    }

    /// <summary>Each suggestion of each failing finding, applied alone to the original command, makes the real link succeed.</summary>
    protected void AssertEverySuggestionFixes(string[] command, LinkReport report)
    {
        foreach (var f in report.Findings.Where(f => f.Severity == Severity.Error))
            foreach (var s in f.Suggestions)
            {
                var (fixedCommand, env) = Fx.Apply(s, command);
                var after = Fx.RealLink(fixedCommand, env);
                Assert.That(after.Succeeded, Is.True, $"{f.Code}: after applying '{s.Summary}' ({string.Join(' ', fixedCommand)}) the linker said:\n{after.StandardError}");
            }
    }

    /// <summary>old/libdep.so.1 defines dep_fn@@DEP_1.0; new/ defines dep_fn@@DEP_2.0; build/libfoo.so was linked against new/.</summary>
    protected void VersionedDependency()
    {
        Fx.Write("v1.map", "DEP_1.0 { global: dep_fn; local: *; };\n");
        Fx.Write("v2.map", "DEP_1.0 { global: dep_old; local: *; };\nDEP_2.0 { global: dep_fn; } DEP_1.0;\n");
        Fx.SharedLib("old/libdep.so.1", Dep, soname: "libdep.so.1", extra: "-Wl,--version-script,v1.map");
        Fx.SharedLib("new/libdep.so.1", Dep + "int dep_old(void){return 0;}\n", soname: "libdep.so.1", extra: "-Wl,--version-script,v2.map");
        Fx.SharedLib("build/libfoo.so", FooNeedsDep, extra: "new/libdep.so.1");
        Fx.Object("main.o", MainUsesFoo);
    }

    protected const string MainUsesDep = "int dep_fn(void);\nint main(void){return dep_fn()-1;}\n";

    protected static string[] Lld(params string[] args) => ["gcc", "-fuse-ld=lld", .. args];
}
