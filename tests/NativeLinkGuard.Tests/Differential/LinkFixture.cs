using System.Collections;
using System.Text.RegularExpressions;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Differential;

/// <summary>
/// A temp directory where tiny C libraries are built with gcc at test time, and where the same link is run by the real
/// linker and checked by NativeLinkGuard. Everything runs with LC_ALL=C and no LIBRARY_PATH, LD_LIBRARY_PATH or
/// LD_RUN_PATH unless a scenario sets them.
/// </summary>
public sealed partial class LinkFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "nlg-fx-" + Guid.NewGuid().ToString("N")[..12]);

    public Dictionary<string, string?> Environment { get; } = BaseEnvironment();

    public LinkFixture() => Directory.CreateDirectory(Root);

    public static bool HasCompiler => ProcessRunner.FindOnPath("gcc", System.Environment.GetEnvironmentVariable("PATH")) is not null;

    private static Dictionary<string, string?> BaseEnvironment()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables()) env[(string)e.Key] = (string?)e.Value;
        foreach (var v in new[] { "LIBRARY_PATH", "LD_LIBRARY_PATH", "LD_RUN_PATH", "CUDA_HOME", "CUDA_PATH", "CONDA_PREFIX", "GCC_EXEC_PREFIX", "COMPILER_PATH" })
            env.Remove(v);
        env["LC_ALL"] = "C";
        return env;
    }

    public string P(string relative) => Path.Combine(Root, relative);

    public void Write(string relative, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(P(relative))!);
        File.WriteAllText(P(relative), text);
    }

    /// <summary>Runs a command in the fixture; throws with its output when it fails (fixture set-up must not fail).</summary>
    public void Sh(string command)
    {
        var r = ProcessRunner.Run("/bin/sh", ["-c", command], Environment, Root);
        if (r.ExitCode != 0) throw new InvalidOperationException($"fixture command failed: {command}\n{r.StandardError}");
    }

    /// <summary>Builds <paramref name="output"/> as a shared library from one C source; extra gcc arguments follow.</summary>
    public void SharedLib(string output, string source, string soname = "", string extra = "", string compiler = "gcc")
    {
        string c = Path.ChangeExtension(output, null).Replace('/', '_') + ".c";
        Write("src/" + c, source);
        Directory.CreateDirectory(Path.GetDirectoryName(P(output))!);
        string so = soname.Length > 0 ? $"-Wl,-soname,{soname}" : "";
        Sh($"{compiler} -shared -fPIC {so} -o {output} src/{c} {extra}");
    }

    public void Object(string output, string source, string compiler = "gcc")
    {
        Write("src/" + output + ".c", source);
        Sh($"{compiler} -c -fPIC -o {output} src/{output}.c");
    }

    public RealLinkResult RealLink(IReadOnlyList<string> command, IReadOnlyDictionary<string, string?>? env = null)
    {
        var r = ProcessRunner.Run(command[0], command.Skip(1), env ?? Environment, Root, timeoutMs: 60_000);
        return new RealLinkResult(r.ExitCode, r.StandardError, Missing(r.StandardError));
    }

    /// <summary>Every check also runs the real link: the base class asserts the predicted outcome equals its exit status.</summary>
    public LinkReport Check(IReadOnlyList<string> command, params string[] hintDirs)
    {
        var report = new LinkChecker().Check(new CheckRequest(command, Root, Environment, hintDirs.Select(P).ToList()));
        var real = RealLink(command);
        Comparisons.Add(new OutcomeComparison(string.Join(' ', command), report.PredictedOutcome == PredictedOutcome.Succeeds, real.Succeeded, real.StandardError,
            string.Join("; ", report.Findings.Select(f => $"{f.Code} {f.Severity} {f.Message}"))));
        return report;
    }

    /// <summary>Predicted outcome next to the real linker's, for every <see cref="Check"/> of this fixture.</summary>
    public List<OutcomeComparison> Comparisons { get; } = [];

    /// <summary>
    /// Symbols the real linker names as unresolved: ld's <c>undefined reference to `x'</c> and <c>undefined reference to
    /// symbol 'x'</c> (DSO missing), lld's <c>undefined symbol: x</c> and <c>undefined reference to x [...]</c>.
    /// </summary>
    public static SortedSet<string> UndefinedSymbols(string stderr)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in LdUndefined().Matches(stderr)) set.Add(m.Groups[1].Value);
        foreach (Match m in LdDsoMissing().Matches(stderr)) set.Add(m.Groups[1].Value.Split('@')[0]);
        foreach (Match m in LldUndefined().Matches(stderr)) set.Add(m.Groups[1].Value);
        foreach (Match m in LldShlibUndefined().Matches(stderr)) set.Add(m.Groups[1].Value);
        return set;
    }

    [GeneratedRegex(@"undefined reference to `([^']+)'")]
    private static partial Regex LdUndefined();

    [GeneratedRegex(@"undefined reference to symbol '([^']+)'")]
    private static partial Regex LdDsoMissing();

    [GeneratedRegex(@"undefined symbol: (\S+)")]
    private static partial Regex LldUndefined();

    [GeneratedRegex(@"undefined reference to ([^`'\s]+) \[--no-allow-shlib-undefined\]")]
    private static partial Regex LldShlibUndefined();

    /// <summary>
    /// Whether <paramref name="message"/> ("ld will say") is one of the linker's stderr lines after its own prefix:
    /// argv[0] (<c>/usr/bin/ld: </c>, <c>ld.lld: </c>, a cross ld's full path) and lld's <c>error: </c>.
    /// </summary>
    public static bool Says(string stderr, string? message) =>
        !string.IsNullOrEmpty(message) && stderr.Split('\n').Any(l => l == message ||
            (l.EndsWith(": " + message, StringComparison.Ordinal) && LinkerPrefix().IsMatch(l[..^message.Length])));

    [GeneratedRegex(@"^(?:\S*/)?(?:[\w.-]*-)?ld(?:\.\w+)?: (?:error: )?$")]
    private static partial Regex LinkerPrefix();

    /// <summary>The libraries ld says it cannot find, in our finding's spelling.</summary>
    public static SortedSet<string> MissingInStderr(string stderr) => Missing(stderr);

    private static SortedSet<string> Missing(string stderr)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in CannotFind().Matches(stderr)) set.Add(m.Groups[1].Value);
        foreach (Match m in CannotFindInside().Matches(stderr)) set.Add(m.Groups[1].Value);
        foreach (Match m in NeededNotFound().Matches(stderr)) set.Add(m.Groups[1].Value);
        foreach (Match m in LldCannotFind().Matches(stderr)) set.Add(m.Groups[1].Value);
        return set;
    }

    public static SortedSet<string> Missing(LinkReport report) => new(
        report.Findings.Where(f => (f.Severity == Severity.Error && f.Code is DiagnosticCodes.DirectLibraryNotFound) || (f.Code is DiagnosticCodes.IndirectDependencyNotFound && !f.Message.StartsWith("run-time risk", StringComparison.Ordinal))).Select(f => f.Library),
        StringComparer.Ordinal);

    [GeneratedRegex(@"cannot find (\S+): (?:No such file or directory|file in wrong format|file format not recognized)")]
    private static partial Regex CannotFind();

    [GeneratedRegex(@"cannot find (\S+) inside ")]
    private static partial Regex CannotFindInside();

    // lld: "unable to find library -lfoo", "cannot open build/libfoo.so: No such file or directory", and for a
    // script member "a/libg.so:1: unable to find libx.so.1".
    [GeneratedRegex(@"(?:unable to find library|unable to find|error: cannot open) (\S+?):?(?: No such file or directory)?$", RegexOptions.Multiline)]
    private static partial Regex LldCannotFind();

    [GeneratedRegex(@"warning: (\S+), needed by \S+, not found")]
    private static partial Regex NeededNotFound();

    /// <summary>Applies a suggestion the way a user would: its file operations, flags appended, environment set.</summary>
    public (IReadOnlyList<string> Command, Dictionary<string, string?> Env) Apply(Suggestion s, IReadOnlyList<string> command)
    {
        foreach (var op in s.FileOperations ?? [])
        {
            switch (op.Kind)
            {
                case "mkdir": Directory.CreateDirectory(op.Path!); break;
                case "symlink":
                    // ln -sfn: an existing symlink (a dangling one being repaired) is replaced; a regular file never is.
                    if (new FileInfo(op.Path!).LinkTarget is not null) File.Delete(op.Path!);
                    if (!File.Exists(op.Path!)) File.CreateSymbolicLink(op.Path!, op.Target!);
                    break;
                case "copy": Directory.CreateDirectory(Path.GetDirectoryName(op.Destination!)!); File.Copy(op.Source!, op.Destination!, true); break;
                default: throw new InvalidOperationException("unknown file operation " + op.Kind);
            }
        }
        var env = new Dictionary<string, string?>(Environment);
        foreach (var (k, v) in s.Environment ?? new Dictionary<string, string>()) env[k] = v;
        return ([.. command, .. s.Flags], env);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed record OutcomeComparison(string Command, bool PredictedSuccess, bool RealSuccess, string StandardError, string Findings);

public sealed record RealLinkResult(int ExitCode, string StandardError, SortedSet<string> Missing)
{
    public bool Succeeded => ExitCode == 0;
}
