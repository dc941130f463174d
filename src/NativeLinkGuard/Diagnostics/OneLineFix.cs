namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// The fix as one line (an MSBuild warning, a SARIF message): the first proper suggestion in full — the commands
/// to run (file operations in order), the environment, then the flags to add — so the line alone is enough to act
/// on. A workaround is never put there: without a proper fix the line says where to point us instead.
/// </summary>
public static class OneLineFix
{
    /// <summary>" Fix: …." for the first proper suggestion; the "nowhere" advice when there is none; else "".</summary>
    public static string Text(IReadOnlyList<Suggestion> suggestions, IReadOnlyList<string>? notes = null)
    {
        if (suggestions.FirstOrDefault(s => s.Quality == SuggestionQuality.Proper) is not { } s)
            return notes?.FirstOrDefault(n => n.Contains("--hint-dir", StringComparison.Ordinal)) is { } nowhere ? $" {nowhere}" : "";
        var steps = new List<string>();
        var commands = s.Commands is { Count: > 0 } c ? c : (s.FileOperations ?? []).Select(o => o.ToShell()).ToList();
        if (commands.Count > 0) steps.Add("run " + string.Join(" && ", commands));
        if (s.Environment is { Count: > 0 } env) steps.Add("set " + string.Join(' ', env.Select(kv => $"{kv.Key}={ShellQuote.Quote(kv.Value)}")));
        if (s.Flags.Count > 0) steps.Add("add " + ShellQuote.Join(s.Flags));
        return $" Fix: {s.Summary}{(steps.Count > 0 ? ": " + string.Join(", then ", steps) : "")}.";
    }
}
