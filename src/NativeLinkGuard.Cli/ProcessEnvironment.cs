using System.Collections;

namespace NativeLinkGuard.Cli;

/// <summary>The environment of this process, as the core takes it (the tasks pass the build's instead).</summary>
internal static class ProcessEnvironment
{
    public static Dictionary<string, string?> Read()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env[(string)e.Key] = (string?)e.Value;
        return env;
    }
}
