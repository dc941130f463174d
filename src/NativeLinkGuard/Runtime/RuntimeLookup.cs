using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Runtime;

/// <summary>How ld.so resolved one DT_NEEDED entry of one loaded object.</summary>
public sealed record RuntimeLookup(
    string Name,
    LoadedObject NeededBy,
    // The object that satisfies it (newly mapped or already loaded); null when not found or on a fatal error.
    LoadedObject? Found,
    // Why it was found there: "already loaded", "DT_RPATH of libfoo.so", "LD_LIBRARY_PATH", "ld.so.cache"…
    string? Rule,
    IReadOnlyList<SearchedDirectory> Searched,
    // ld.so's fatal error for a candidate it cannot use ("…: file too short"): loading stops there.
    string? FatalError = null)
{
    public bool IsFound => Found is not null;

    /// <summary>root → … → this name, file names only, as ld's chains are shown (built once).</summary>
    public IReadOnlyList<string> Chain => _chain ??= BuildChain();

    private IReadOnlyList<string>? _chain;

    private string[] BuildChain()
    {
        var chain = new string[NeededBy.Depth + 2];
        chain[^1] = Name;
        int i = chain.Length - 2;
        for (var o = NeededBy; o is not null; o = o.Loader) chain[i--] = o.FileName;
        return chain;
    }
}
