using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>The search lists of a failed lookup's trace, shared among the reports of neighbouring roots.</summary>
internal sealed partial class LdSoSearch
{
    // A failed lookup's trace repeats list by list in the reports of a package's neighbouring roots, though rarely
    // whole (each root's chain names other owners): the lines of a list that found nothing are shared among the
    // recent ones. They depend only on the list, the name, the rule and the owner's file name that words it.
    private ListHit TracedList(IReadOnlyList<string> dirs, string name, SearchRule rule, LoadedObject? owner,
        List<SearchedDirectory> searched)
    {
        var key = new TracedListKey(dirs, name, rule, owner?.FileName);
        if (_tracedLists.TryGetValue(key, out var lines))
        {
            searched.AddRange(lines);
            return default;
        }
        int start = searched.Count;
        var hit = OpenPath(dirs, name, rule, owner, searched);
        if (hit.Found is null && hit.Fatal is null) _tracedLists.Add(key, searched[start..].ToArray());
        return hit;
    }

    private readonly RecentMemo<TracedListKey, SearchedDirectory[]> _tracedLists = new(64);

    private readonly record struct TracedListKey(IReadOnlyList<string> Dirs, string Name, SearchRule Rule,
        string? Owner)
    {
        public bool Equals(TracedListKey other) => ReferenceEquals(Dirs, other.Dirs) && Name == other.Name
            && Rule == other.Rule && Owner == other.Owner;

        public override int GetHashCode() => HashCode.Combine(
            System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Dirs), Name, Rule, Owner);
    }
}
