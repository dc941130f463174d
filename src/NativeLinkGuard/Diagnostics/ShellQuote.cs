namespace NativeLinkGuard.Diagnostics;

/// <summary>POSIX shell quoting for the commands and flags we print.</summary>
public static class ShellQuote
{
    public static string Quote(string s)
    {
        if (s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./,=:+@%".Contains(c))) return s;
        return "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    public static string Join(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));
}
