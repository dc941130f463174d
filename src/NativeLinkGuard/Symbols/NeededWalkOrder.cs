using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Symbols;

/// <summary>
/// The order in which bfd joins libraries after the command line: ldelf_after_open walks the DT_NEEDED entries of
/// the loaded libraries in load order, appending what it loads, and each entry either revives an --as-needed input
/// dropped earlier that satisfies it (ld-rules §4.2; to any depth) or loads the library found for it. The order
/// decides which library ld names for an undefined reference (the first that referenced it) and which provider of a
/// symbol it keeps.
/// </summary>
internal static class NeededWalkOrder
{
    /// <summary>The found and the revived libraries, in the order they join (loaded inputs are not returned).</summary>
    public static List<ResolvedLibrary> Of(IReadOnlyList<ResolvedLibrary> libraries)
    {
        var joined = libraries.Where(l => l.Input is not null && !l.DroppedByAsNeeded).ToList();
        var dropped = libraries.Where(l => l.DroppedByAsNeeded).ToList();
        var found = libraries.Where(l => l.Input is null).ToList();
        var order = new List<ResolvedLibrary>();
        for (int i = 0; i < joined.Count; i++)
        {
            var by = joined[i];
            foreach (var name in by.Elf.Needed)
            {
                var next = dropped.FirstOrDefault(d => d.NeededNamesSatisfied().Contains(name))
                    ?? found.FirstOrDefault(f => f.NeededBy == by && f.NeededName == name);
                if (next is null) continue;
                dropped.Remove(next);
                found.Remove(next);
                joined.Add(next);
                order.Add(next);
            }
        }
        // Found libraries the walk above did not reach keep their place at the end rather than vanish.
        order.AddRange(found);
        return order;
    }
}
