using System.Diagnostics;

namespace NativeLinkGuard.Tests.TestSupport;

/// <summary>Runs a real tool (ld, gcc) under LC_ALL=C for differential tests.</summary>
internal static class Tool
{
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(d => d.Length > 0 && File.Exists(System.IO.Path.Combine(d, name)));

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
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
