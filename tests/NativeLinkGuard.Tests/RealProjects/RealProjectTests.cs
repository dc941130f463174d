using System.Collections;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.RealProjects;

/// <summary>
/// The judge is real code: every tarball of the corpus directories (default <c>../shared/corpus</c>; more with
/// <c>NLG_REAL_PROJECTS=dir1:dir2</c>) is extracted, configured with the flags of its README, checked before
/// anything is built (first run without a File API reply, then re-configured), really built keep-going, and every
/// prediction compared with the real link: no disagreement, no warning on a link that links, no internal error,
/// every link checked. Native under Ninja and Makefiles; lld and the aarch64 cross toolchain under Ninja.
/// </summary>
[Category("RealProjects")]
[NonParallelizable]
public sealed class RealProjectTests
{
    public static IEnumerable<string> CorpusDirectories()
    {
        string? configured = Environment.GetEnvironmentVariable("NLG_REAL_PROJECTS");
        return configured is { Length: > 0 }
            ? configured.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath)
            : [Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "corpus"))];
    }

    [TestCase(Flavour.Native, "Ninja")]
    [TestCase(Flavour.Native, "Unix Makefiles")]
    [TestCase(Flavour.Lld, "Ninja")]
    [TestCase(Flavour.Aarch64, "Ninja")]
    public void Every_link_of_every_real_project_is_predicted_as_the_real_build_does_it(Flavour flavour, string generator)
    {
        Tool.RequireOnPath([.. RequiredTools(flavour, generator)]);
        var env = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
        env["LC_ALL"] = "C";
        var projects = CorpusDirectories().SelectMany(CorpusManifest.Read).ToList();
        var results = new List<(CorpusProject Project, CheckComparison Check)>();
        var notConfigured = new List<string>();
        foreach (var project in projects)
        {
            using var work = new TempDirectory();
            var tar = ProcessRunner.Run("tar", ["xzf", project.Tarball, "-C", work.Path], env, work.Path, timeoutMs: 300_000);
            Assert.That(tar.ExitCode, Is.EqualTo(0), tar.StandardError);
            var run = new RealProjectRun(project, work.Path, work.Path, env);
            var checks = run.Run(flavour, generator, TestContext.Out, out string? why);
            if (checks is null)
            {
                notConfigured.Add($"{project.Name}: {why}");
                continue;
            }
            results.AddRange(checks.Select(c => (project, c)));
        }
        TestContext.Out.WriteLine($"{flavour} / {generator}: {projects.Count} project(s)");
        foreach (var (p, c) in results) TestContext.Out.WriteLine($"  {p.Name,-14} {c}");
        foreach (var n in notConfigured) TestContext.Out.WriteLine($"  does not configure in this flavour (not checked): {n}");
        var problems = results.Where(r => !r.Check.Clean)
            .SelectMany(r => r.Check.Disagreements.Concat(r.Check.WarningsOnGoodLinks).Concat(r.Check.InternalErrors)
                .Append(r.Check.Links != r.Check.Expected ? $"{r.Check.Links} of {r.Check.Expected} links checked" : "")
                .Where(s => s.Length > 0).Select(s => $"{r.Project.Name} {r.Check.Way}: {s}")).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results, Is.Not.Empty, "at least one real project configures in this flavour: " + string.Join("\n", notConfigured));
            Assert.That(problems, Is.Empty);
        }
    }

    private static IEnumerable<string> RequiredTools(Flavour flavour, string generator)
    {
        yield return "cmake";
        yield return "tar";
        if (generator == "Ninja") yield return "ninja";
        if (flavour == Flavour.Lld) yield return "ld.lld";
        if (flavour == Flavour.Aarch64) yield return "aarch64-linux-gnu-g++";
    }
}
