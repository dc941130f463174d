using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

// The resolver's compact model. A thousand roots make a million lookups: each is a few array and int-keyed hash
// operations on these records, with no allocation; LoadedObject/RuntimeLookup objects are built only for what is
// reported (RuntimeResolution) or searched for the first time.

/// <summary>What the breadth-first walk needs of one ELF file, computed once per file (per run-path
/// override).</summary>
internal sealed class ObjectFacts(ElfFile elf, int profile, int[] needed, int soname, int rpath, bool mayNameStubs)
{
    public ElfFile Elf { get; } = elf;

    /// <summary>
    /// Interned (DT_RUNPATH, DF_1_NODEFLIB): all a search needs of the needing file besides its directory and the
    /// RPATH chain, so the libraries of a package (one run path) share their searches.
    /// </summary>
    public int Profile { get; } = profile;

    /// <summary>DT_NEEDED names, interned.</summary>
    public int[] Needed { get; } = needed;

    /// <summary>Interned DT_SONAME, or -1.</summary>
    public int Soname { get; } = soname;

    /// <summary>Interned effective DT_RPATH (none when DT_RUNPATH is present), or -1.</summary>
    public int Rpath { get; } = rpath;

    /// <summary>The search for this file's DT_NEEDED skips the inherited DT_RPATH lists (it has DT_RUNPATH).
    /// </summary>
    public bool HasRunpath { get; } = !RunPaths.SearchesInheritedRpaths(elf); // kept: the walk asks it per lookup

    /// <summary>The run path says "stubs" or uses a token: the cheap pre-filter of the NLG0005 test.</summary>
    public bool MayNameStubs { get; } = mayNameStubs;

    /// <summary>The run path (DT_RUNPATH, else DT_RPATH) uses a token such as $ORIGIN.</summary>
    public bool RunPathHasToken { get; } = RunPaths.Effective(elf)?.Contains('$') == true;

    private LastSearch[]? _lastSearches;

    /// <summary>The last search made for DT_NEEDED entry K of this file (one resolver, one thread).</summary>
    public ref LastSearch LastSearch(int k) => ref (_lastSearches ??= new LastSearch[Needed.Length])[k];
}

/// <summary>
/// A search outcome with the inputs that vary for one DT_NEEDED entry (directory, RPATH chain, root), and what the
/// walk needs of it copied beside it: a quarter of a million lookups read these in place instead of reaching into
/// the outcome and the found file's facts, each a cache miss away. The found object's inherited-RPATH chain is kept
/// for the last loader chain it was derived from.
/// </summary>
internal struct LastSearch(int origin, int chain, int rootOrigin, SearchOutcome outcome)
{
    public readonly int Origin = origin, Chain = chain, RootOrigin = rootOrigin;
    public readonly SearchOutcome? Outcome = outcome;
    public readonly bool Found = outcome.Path is not null;
    public readonly ObjectFacts? FoundFacts = outcome.Facts;
    public readonly int FoundOrigin = outcome.OriginId, PathName = outcome.PathName, Identity = outcome.Identity;
    public int LoaderChain = int.MinValue, ChildChain;
}

/// <summary>Where a search found its file: the rule, the list element and the hwcaps subdirectory.
/// </summary>
/// LIST: for DT_RPATH, which of the inherited lists (0 = the needing object's own).
internal readonly record struct FoundAt(SearchRule Source, int Element, string? Sub, int List = -1);

/// <summary>
/// The result of one DT_NEEDED search, shared by every lookup with the same search inputs. A found file is kept
/// with where it was found (the list element, not only the path), so the path ld.so prints for each spelling of the
/// needing object's directory can be rebuilt without searching again.
/// </summary>
internal sealed class SearchOutcome
{
    /// <summary>The file at its physical-equivalent path (null: not found, or <see cref="Fatal"/>).</summary>
    public string? Path { get; init; }
    public ObjectFacts? Facts { get; init; }
    /// <summary>The path interned as a name (ld.so matches a later DT_NEEDED against it).</summary>
    public int PathName { get; init; } = -1;
    public string Origin { get; init; } = "";
    public int OriginId { get; init; } = -1;
    /// <summary>Interned device:inode, or -1.</summary>
    public int Identity { get; init; } = -1;
    public string? Fatal { get; init; }

    public SearchRule Source { get; init; }
    /// <summary>The path as found, for sources without $ORIGIN (ld.so.cache, ld.so.conf, system dirs).</summary>
    public string? FoundPath { get; init; }
    /// <summary>For DT_RPATH: the (origin, list) link of the loader whose list had it.</summary>
    public (int Origin, int Rpath) OwnerLink { get; init; }
    public int Element { get; init; }
    public string? Sub { get; init; }
}

/// <summary>
/// One mapped object. Searches run from its physical-equivalent directory ("a/lib/../../b/lib" is "b/lib" when the
/// kernel says so), so the many spellings one directory gets in a deep tree share one search; the path ld.so itself
/// would print is rebuilt from the loader's spelling when the object is reported.
/// </summary>
internal struct MappedRecord
{
    public ObjectFacts Facts;
    /// <summary>The search that found it; null for the root and the loader itself (their paths are given).</summary>
    public SearchOutcome? Outcome;
    public int OriginId;
    public int Loader;
    /// <summary>The interned DT_NEEDED name it was mapped for (-1 for the root and the loader itself).</summary>
    public int Name;
    public int Chain;
    public bool MayNameStubs;
}

internal enum LookupKind : byte { AlreadyLoaded, LoaderItself, Mapped, SameFile, NotFound, Fatal }

internal struct LookupRecord
{
    public int Name;
    public int NeededBy;
    public int Found;
    public LookupKind Kind;
    public SearchOutcome? Outcome;
}
