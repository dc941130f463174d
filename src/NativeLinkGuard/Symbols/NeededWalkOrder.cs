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
    /// <summary>The found and the revived libraries, in the order they join (loaded inputs are not returned). WALKS:
    /// whether ld walks a library's DT_NEEDED entries at all (not under --allow-shlib-undefined, ld-rules §5), so a
    /// dropped --as-needed input is revived only by a DT_NEEDED ld reads (GNU ld case 7600141:5).</summary>
    public static List<ResolvedLibrary> Of(IReadOnlyList<ResolvedLibrary> libraries, Func<ResolvedLibrary, bool> walks)
    {
        var joined = libraries.Where(l => l.Input is not null && !l.DroppedByAsNeeded).ToList();
        var dropped = libraries.Where(l => l.DroppedByAsNeeded).ToList();
        var found = libraries.Where(l => l.Input is null).ToList();
        var order = new List<ResolvedLibrary>();
        for (int i = 0; i < joined.Count; i++)
        {
            var by = joined[i];
            if (!walks(by)) continue;
            foreach (var name in by.Elf.Needed)
            {
                var next = Revived(dropped, name)
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

    /// <summary>
    /// The dropped --as-needed input a DT_NEEDED NAME revives: the first that satisfies it in ld's input chain
    /// (ldelf_check_needed walks it in creation order), where a linker script's members come after every
    /// command-line input because they are created when ld reads the script (aarch64 case 2209159:1: an old copy
    /// named in a script loses to a later -l copy with the same SONAME; checked with ld 2.40).
    /// </summary>
    public static ResolvedLibrary? Revived(IEnumerable<ResolvedLibrary> dropped, string name) =>
        dropped.Where(d => d.DroppedByAsNeeded && d.NeededNamesSatisfied().Contains(name))
            .OrderBy(d => d.Input is { ScriptLine: > 0 } ? 1 : 0)
            .FirstOrDefault();
}
