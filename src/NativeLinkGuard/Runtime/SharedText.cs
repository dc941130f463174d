namespace NativeLinkGuard.Runtime;

/// <summary>
/// One string per text where a run keeps many: the memos live to the end of a run, and a path made afresh by each
/// search or spelling would keep its own copy there (1,300 copies of found paths were alive at the end of the
/// benchmark tree's run).
/// </summary>
internal static class SharedText
{
    /// <summary>KNOWN when it holds the same text as MADE (the instance already kept), else MADE.</summary>
    public static string Prefer(string? known, string made) =>
        string.Equals(known, made, StringComparison.Ordinal) ? known! : made;
}
