using System.Diagnostics;

namespace NativeLinkGuard.Tests.TestSupport;

/// <summary>Runs a real tool (ld, gcc) under LC_ALL=C for differential tests, and says whether one is there.</summary>
internal static class Tool
{
    /// <summary>CI=true: CI installs every tool the tests need (.ci/run), so a missing one is a failure there.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(d => d.Length > 0 && File.Exists(System.IO.Path.Combine(d, name)));

    /// <summary>
    /// The one gate for a test that needs something of the machine (a tool, a system file): inconclusive on a
    /// developer's machine without it, a failure under CI=true, so a differential category cannot pass empty there.
    /// </summary>
    public static void Require(bool present, string what)
    {
        if (present) return;
        if (InCi) Assert.Fail($"{what} (CI=true: .ci/run installs everything the tests need)");
        Assert.Inconclusive(what);
    }

    /// <summary><see cref="Require"/> for programs on PATH.</summary>
    public static void RequireOnPath(params string[] names)
    {
        foreach (var n in names) Require(Exists(n), $"needs {n} on PATH");
    }

    /// <summary>
    /// Where the toolchain itself finds a system file (<c>gcc -print-file-name=NAME</c>), rather than a guessed
    /// multiarch path; <see cref="Require"/>s that it exists.
    /// </summary>
    public static string SystemFile(string name)
    {
        RequireOnPath("gcc");
        var (code, output) = Run(System.IO.Path.GetTempPath(), "gcc", "-print-file-name=" + name);
        string path = output.Trim();
        Require(code == 0 && System.IO.Path.IsPathRooted(path) && File.Exists(path), $"gcc does not know {name}: {path}");
        return System.IO.Path.GetFullPath(path);
    }

    public static (int ExitCode, string Output) Run(string workingDirectory, string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["LC_ALL"] = "C";
        info.Environment.Remove("LIBRARY_PATH");
        info.Environment.Remove("LD_LIBRARY_PATH");
        info.Environment.Remove("LD_RUN_PATH");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
