using System.Diagnostics;
using NativeLinkGuard.Commands;
using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.CMake;

/// <summary>
/// Checks every link of a configured CMake build before anything is compiled. Targets are checked in build order;
/// a shared library the build has not produced yet is predicted from its own link (SONAME, DT_NEEDED = the SONAMEs of
/// the shared libraries it links, RUNPATH = its -rpath) and takes part in the later links like a real file.
/// </summary>
public sealed class CMakeChecker
{
    private readonly LinkChecker _checker = new();

    public IReadOnlyList<string> Dependencies() => _checker.Dependencies();

    /// <summary>
    /// Loads a configured build the one way every front end does (<see cref="CMakeBuildLoader"/>) and checks it, then
    /// the builds nested in it when asked; a nested build that cannot be read is a problem, not a failure.
    /// </summary>
    public CMakeDirectoryCheck CheckDirectory(
        string buildDir,
        CMakeCheckOptions options,
        IReadOnlyDictionary<string, string?> env,
        IReadOnlyList<string> hints)
    {
        var top = CheckOne(buildDir, options, env, hints);
        if (top.Failure != CMakeCheckFailure.None || !options.Nested) return top;
        var reports = top.Reports.ToList();
        var problems = new List<string>();
        foreach (var sub in NestedBuilds.Directories(buildDir))
        {
            var nested = CheckOne(sub, new CMakeCheckOptions(), env, hints);
            if (nested.Error is not null) problems.Add($"nested build {sub}: {nested.Error}");
            reports.AddRange(nested.Reports.Select(r => r with { Notes = [$"nested build {sub}", .. r.Notes] }));
        }
        return top with { Reports = reports, Problems = problems };
    }

    private CMakeDirectoryCheck CheckOne(
        string buildDir,
        CMakeCheckOptions options,
        IReadOnlyDictionary<string, string?> env,
        IReadOnlyList<string> hints)
    {
        // Re-configuring changes these: the next incremental check must see it.
        _checker.Files.Depend(Path.Combine(buildDir, "CMakeCache.txt"));
        _checker.Files.Depend(Path.Combine(buildDir, ".cmake", "api", "v1", "reply"));
        if (!File.Exists(Path.Combine(buildDir, "CMakeCache.txt")))
        {
            return CMakeDirectoryCheck.Failed(CMakeCheckFailure.NotConfigured,
                $"{buildDir} is not a configured CMake build directory (no CMakeCache.txt)");
        }
        var loaded = CMakeBuildLoader.Load(buildDir, options.Configure, env, out string? error);
        if (loaded is null) return CMakeDirectoryCheck.Failed(CMakeCheckFailure.Unreadable, error ?? "unreadable");
        var unknown = (options.Targets ?? []).Where(t => !loaded.Build.Targets.Any(x => x.Name == t)).ToList();
        if (unknown.Count > 0)
        {
            return CMakeDirectoryCheck.Failed(CMakeCheckFailure.UnknownTarget,
                $"no target named {string.Join(", ", unknown)} in {buildDir}");
        }
        var only = options.Targets is { Count: > 0 } t ? t : null;
        return new CMakeDirectoryCheck
        {
            Reports = Check(loaded.Build, env, hints, only),
            Notes = loaded.Note is null ? [] : [loaded.Note],
        };
    }

    public IReadOnlyList<LinkReport> Check(
        CMakeBuild build,
        IReadOnlyDictionary<string, string?> env,
        IReadOnlyList<string> hints,
        IReadOnlyCollection<string>? onlyTargets = null)
    {
        var reports = new List<LinkReport>();
        string privateDir = Path.Combine(build.BuildDirectory, "nativelinkguard", "lib");
        var builtHere = build.Targets.SelectMany(t => t.Artifacts.Concat(t.LinkNames)).Select(Path.GetFileName)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        // Static libraries are archived from their own objects, with no link to check: present when later links run.
        foreach (var archive in build.Targets.Where(t => t.IsStatic).SelectMany(t => PredictedArtifacts.Files(t, null)))
            if (!File.Exists(archive)) _checker.Files.AddVirtualArchive(archive);
        // What the program's own objects could define, before they are compiled (read only if a link needs it).
        var sources = GeneratedCode.SourceText(build.BuildDirectory);
        foreach (var target in build.Targets.Where(t => t.Links))
        {
            var report = CheckTarget(build, target, env, hints, privateDir, sources, builtHere);
            if (onlyTargets is null || onlyTargets.Contains(target.Name)) reports.Add(report);
        }
        return reports;
    }

    /// <summary>One target's link; a shared library's prediction then takes part in the later links.</summary>
    private LinkReport CheckTarget(
        CMakeBuild build,
        CMakeTarget target,
        IReadOnlyDictionary<string, string?> env,
        IReadOnlyList<string> hints,
        string privateDir,
        Symbols.BuildSourceText? sources,
        HashSet<string> builtHere)
    {
        var sw = Stopwatch.StartNew();
        var link = CMakeLinkCommand.Build(build, target, out string? error);
        string output = target.Artifacts.FirstOrDefault() is { } a
            ? Path.GetRelativePath(build.BuildDirectory, a)
            : target.NameOnDisk;
        var info = new CMakeTargetInfo(target.Name, target.ShortType, output) { DefinedAt = target.DefinedAt };
        // Where a finding points: the target's CMake code; without a File API backtrace, the file the link command
        // came from (link.txt, build.ninja), else the build's cache. Fresh and replayed findings point alike.
        var cache = new SourceLocation(Path.Combine(build.BuildDirectory, "CMakeCache.txt"), 0);
        if (link is null)
        {
            var failed = Finding.CheckFailed($"{target.Name}: {error}")
                with
            { Location = target.DefinedAt ?? cache };
            return new LinkReport(output, PredictedOutcome.Fails, [failed], null, [], [], sw.ElapsedMilliseconds)
            {
                Target = info,
            };
        }
        var request = new CheckRequest(
            link.Command, link.WorkingDirectory, env, hints, privateDir, ObjectsUnknown: true, BuildSources: sources);
        var report = _checker.Check(request);
        var commandFile = link.Source == "CMake File API" ? null : new SourceLocation(link.Source, 0);
        report = report with
        {
            // A library of this build with a stubs run path is reported at its own link, not at every consumer.
            Findings = report.Findings
                .Where(f => f.Code != DiagnosticCodes.StubsInRuntimePath || !builtHere.Contains(f.Library))
                .Select(f => f with { Location = f.Location ?? target.DefinedAt ?? commandFile ?? cache }).ToList(),
            Target = info with { CommandSource = commandFile?.File },
            Notes = [$"link command from {link.Source}", .. report.Notes],
        };
        if (target.IsShared && PredictLibrary(target, link, report) is { } state)
            report = report with { Notes = [state, .. report.Notes] };
        return report;
    }

    /// <returns>A note on which version of the library later links see: the prediction, or the built file.</returns>
    private string? PredictLibrary(CMakeTarget target, CMakeLink link, LinkReport report)
    {
        // The one prediction of a link's output (LinkOutput), with what CMake knows besides: the SONAME it gives.
        if (report.PredictedOutput is not { } predicted) return null;
        var ld = LdArgumentParser.Parse(report.LinkerArguments);
        var elf = predicted with
        {
            Soname = link.Soname ?? predicted.Soname,
            PredictedFrom = $"the link of CMake target {target.Name} (DT_NEEDED in link order"
                + (ld.Inputs.Any(i => i.AsNeeded) ? "; --as-needed may drop some)" : ")"),
        };
        string? artifact = target.Artifacts.FirstOrDefault();
        string? newer = artifact is not null && File.Exists(artifact) ? NewerInput(artifact, link) : null;
        bool built = artifact is not null && File.Exists(artifact);
        foreach (var path in PredictedArtifacts.Files(target, elf.Soname))
            if (!File.Exists(path) || newer is not null) _checker.Files.AddVirtual(path, elf);
        if (!built) return null;
        return newer is not null
            ? $"{Path.GetFileName(artifact)} exists but is older than its input {newer}: later links are checked "
                + "against the library as its link will produce it"
            : $"{Path.GetFileName(artifact)} is built and newer than its inputs: later links are checked against "
                + "that file";
    }

    /// <summary>
    /// An input of the library's link (an object, a library, the link command itself) newer than the built file,
    /// if any.
    /// </summary>
    private static string? NewerInput(string artifact, CMakeLink link)
    {
        var built = File.GetLastWriteTimeUtc(artifact);
        var candidates = link.Command.Skip(1).Where(a => !a.StartsWith('-'))
            .Select(a => Path.GetFullPath(Path.Combine(link.WorkingDirectory, a)));
        if (File.Exists(link.Source)) candidates = candidates.Append(link.Source);
        foreach (var c in candidates)
            if (c != artifact && File.Exists(c) && File.GetLastWriteTimeUtc(c) > built) return c;
        return null;
    }
}
