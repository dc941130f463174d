using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>The walk's interning: names, origins and file identities as ints, and the per-root tables of which
/// object holds a name or identity and which objects searches start from (valid for the walk that stamped
/// them).</summary>
public sealed partial class RuntimeResolver
{
    /// <summary>The first object registered under a name keeps it (as the first match in ld.so's list wins).</summary>
    private void AddName(int index, int name)
    {
        if (_nameStamp[name] == _epoch) return;
        _nameStamp[name] = _epoch;
        _nameObject[name] = index;
    }

    private void SetIdentity(int index, string? identity, bool replace)
    {
        if (identity is null) return;
        int id = IdentityId(identity);
        if (!replace && _identityStamp[id] == _epoch) return;
        _identityStamp[id] = _epoch;
        _identityObject[id] = index;
    }

    private ObjectFacts FactsFor(ElfFile elf, string? path)
    {
        if (path is not null && _runpathOverrides.TryGetValue(path, out var runpath))
        {
            if (!_overriddenFacts.TryGetValue(path, out var o))
                _overriddenFacts[path] = o = NewFacts(elf with { Runpath = runpath, Rpath = null });
            return o;
        }
        if (!_facts.TryGetValue(elf, out var f)) _facts[elf] = f = NewFacts(elf);
        return f;
    }

    private ObjectFacts NewFacts(ElfFile elf)
    {
        var needed = new int[elf.Needed.Count];
        for (int k = 0; k < needed.Length; k++) needed[k] = NameId(elf.Needed[k]);
        string? list = RunPaths.Effective(elf);
        string? rpath = RunPaths.InheritedRpath(elf);
        var profileKey = (elf.Runpath, (elf.Flags1 & 0x800) != 0);
        if (!_profiles.TryGetValue(profileKey, out int profile)) _profiles[profileKey] = profile = _profiles.Count;
        return new ObjectFacts(elf, profile, needed, elf.Soname is { } so ? NameId(so) : -1,
            rpath is null ? -1 : NameId(rpath), list is not null && list.Contains("stubs", StringComparison.Ordinal));
    }

    private int NameId(string name)
    {
        if (_nameIds.TryGetValue(name, out int id)) return id;
        _nameIds[name] = id = _names.Count;
        _names.Add(name);
        if (id >= _nameStamp.Length)
        {
            Array.Resize(ref _nameStamp, _nameStamp.Length * 2);
            Array.Resize(ref _nameObject, _nameStamp.Length);
        }
        return id;
    }

    private int OriginId(string origin)
    {
        if (_originIds.TryGetValue(origin, out int id)) return id;
        _originIds[origin] = id = _originNamesStubs.Count;
        _originNamesStubs.Add(origin.Contains("stubs", StringComparison.Ordinal));
        _originNames.Add(origin);
        return id;
    }

    private int IdentityId(string identity)
    {
        if (_identityIds.TryGetValue(identity, out int id)) return id;
        _identityIds[identity] = id = _identityIds.Count;
        if (id >= _identityStamp.Length)
        {
            Array.Resize(ref _identityStamp, _identityStamp.Length * 2);
            Array.Resize(ref _identityObject, _identityStamp.Length);
        }
        return id;
    }

    // The objects of the walk in progress as searches see them, by index, valid where the stamp is the walk's
    // number: built on a memo miss only, reused root after root instead of an array per root.
    private LoadedObject?[] _searchObjects = new LoadedObject?[64];
    private int[] _searchObjectWalks = new int[64];

    internal LoadedObject? SearchObjectOfThisWalk(int index) =>
        index < _searchObjects.Length && _searchObjectWalks[index] == Walks ? _searchObjects[index] : null;

    internal void RememberSearchObject(int index, LoadedObject o)
    {
        if (index >= _searchObjects.Length)
        {
            Array.Resize(ref _searchObjects, Math.Max(index + 1, _searchObjects.Length * 2));
            Array.Resize(ref _searchObjectWalks, _searchObjects.Length);
        }
        _searchObjects[index] = o;
        _searchObjectWalks[index] = Walks;
    }
}
