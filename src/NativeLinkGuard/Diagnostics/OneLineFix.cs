namespace NativeLinkGuard.Diagnostics;

/// <summary>
/// A finding as one line (an MSBuild warning, a SARIF message): what is wrong, then the first proper suggestion in
/// full — the commands to run (file operations in order), the environment, then the flags to add — so the line alone
/// is enough to act on. A workaround is never put there: without a proper fix the line says where to point us
/// instead. Every front end and report writes the line through here.
/// </summary>
public static class OneLineFix
{
    /// <summary>"SUBJECT: MESSAGE. Fix: …." (no subject when the message already starts with it).</summary>
    /// <param name="subject">What the finding is about (the link's output, the checked file, the directory).</param>
    /// <param name="finding">The finding: its message, then its first proper suggestion.</param>
    /// <param name="runIn">Where the commands run when they name files relative to it (an audited directory).</param>
    public static string Line(string subject, Finding finding, string? runIn = null) =>
        Line(subject, finding.Message, finding.Suggestions, finding.Notes, runIn);

    /// <summary>The line from a finding's parts (as a JSON report gives them back).</summary>
    public static string Line(
        string subject,
        string message,
        IReadOnlyList<Suggestion> suggestions,
        IReadOnlyList<string>? notes,
        string? runIn = null)
    {
        bool named = subject.Length == 0 || message.StartsWith(subject, StringComparison.Ordinal);
        return $"{(named ? "" : subject + ": ")}{message}.{Text(suggestions, notes, runIn)}";
    }

    /// <summary>" Fix: …." for the first proper suggestion; the "nowhere" advice when there is none; else "".</summary>
    public static string Text(
        IReadOnlyList<Suggestion> suggestions,
        IReadOnlyList<string>? notes = null,
        string? runIn = null)
    {
        if (suggestions.FirstOrDefault(s => s.Quality == SuggestionQuality.Proper) is not { } s)
        {
            return notes?.FirstOrDefault(n => n.Contains("--hint-dir", StringComparison.Ordinal)) is { } nowhere
                ? $" {nowhere}"
                : "";
        }
        var steps = new List<string>();
        var commands = s.Commands is { Count: > 0 } c ? c : (s.FileOperations ?? []).Select(o => o.ToShell()).ToList();
        if (commands.Count > 0) steps.Add("run " + string.Join(" && ", commands));
        if (s.Environment is { Count: > 0 } env)
            steps.Add("set " + string.Join(' ', env.Select(kv => $"{kv.Key}={ShellQuote.Quote(kv.Value)}")));
        if (s.Flags.Count > 0) steps.Add("add " + ShellQuote.Join(s.Flags));
        string where = runIn is null ? "" : $" (in {runIn})";
        return $" Fix{where}: {s.Summary}{(steps.Count > 0 ? ": " + string.Join(", then ", steps) : "")}.";
    }
}
