using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// Decides, as ld does while loading inputs in order, whether an --as-needed shared library is kept: only if it
/// defines a symbol that an earlier object or kept shared library references (non-weak) and nothing defined yet.
/// A dropped library's DT_NEEDED are never searched. When a decision cannot be proved (an object not built yet, an
/// archive, an unreadable symbol table) the library is assumed kept, and the report says so.
/// Symbols are read lazily: only when an as-needed library has to be decided.
/// </summary>
internal sealed class AsNeededModel
{
    private readonly List<string> _pending = [];
    private readonly HashSet<string> _defined = new(StringComparer.Ordinal);
    private readonly HashSet<string> _undefined = new(StringComparer.Ordinal);

    /// <summary>Why decisions can no longer be proved; null while they can.</summary>
    public string? Unknowable { get; private set; }

    public void Object(string path) => _pending.Add(path);

    public void MakeUnknowable(string why) => Unknowable ??= why;

    public void Kept(string path) => _pending.Add(path);

    /// <summary>True when ld keeps the library; <paramref name="assumed"/> when that could not be proved.</summary>
    public bool IsNeeded(string path, out bool assumed)
    {
        assumed = false;
        ApplyPending();
        if (Unknowable is not null) { assumed = true; return true; }
        if (!SymbolReader.TryRead(path, out var lib, out var error))
        {
            MakeUnknowable($"{path}: symbols unreadable ({error})");
            assumed = true;
            return true;
        }
        return lib!.Defined.Any(_undefined.Contains);
    }

    private void ApplyPending()
    {
        foreach (var path in _pending)
        {
            if (Unknowable is not null) break;
            if (!SymbolReader.TryRead(path, out var s, out var error))
            {
                MakeUnknowable($"{path}: symbols unreadable ({error})");
                break;
            }
            foreach (var d in s!.Defined) { _defined.Add(d); _undefined.Remove(d); }
            foreach (var u in s.StrongUndefined) if (!_defined.Contains(u)) _undefined.Add(u);
        }
        _pending.Clear();
    }
}
