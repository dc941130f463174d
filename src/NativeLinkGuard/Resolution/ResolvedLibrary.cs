using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Resolution;

/// <summary>A shared library ld loads: a command-line input (or a script member) or a DT_NEEDED it found.</summary>
public sealed class ResolvedLibrary
{
    public required string Path { get; init; }
    /// <summary>How ld names it in messages: the command-line spelling for inputs, DIR/NAME for found
    /// DT_NEEDED.</summary>
    public required string Spelling { get; init; }
    public required ElfFile Elf { get; init; }
    public LinkInput? Input { get; init; }
    public ResolvedLibrary? NeededBy { get; init; }
    public string? NeededName { get; init; }
    public SearchRule? FoundBy { get; init; }
    /// <summary>--copy-dt-needed-entries in effect (inherited by DT_NEEDED libraries).</summary>
    public bool CopyDtNeeded { get; init; }
    public bool AsNeeded { get; init; }
    /// <summary>--as-needed and nothing referenced it when ld loaded it: its DT_NEEDED entries are searched only if a
    /// later DT_NEEDED names it (ld loads it then).</summary>
    public bool DroppedByAsNeeded { get; set; }

    /// <summary>
    /// The DT_NEEDED names this library satisfies once loaded (ld-rules §4.2): its SONAME; without one, its name as
    /// given and, when found by -l/-l:, its file name. A library given by path ("/abs/libx.so") does not satisfy
    /// "libx.so". A SONAME-less library found for a DT_NEEDED satisfies nothing further (its NAME was searched once).
    /// </summary>
    public IEnumerable<string> NeededNamesSatisfied()
    {
        if (Elf.Soname is { } so) { yield return so; yield break; }
        if (Input is null) yield break;
        yield return Spelling;
        if (Input.Kind == LinkInputKind.Library) yield return System.IO.Path.GetFileName(Path);
    }

    /// <summary>The chain from the link output: test_dflash → libggml-cuda.so → libcuda.so.1.</summary>
    public IReadOnlyList<string> Chain(string output)
    {
        var names = new List<string>();
        for (var l = this; l is not null; l = l.NeededBy)
            names.Add(l.NeededName ?? System.IO.Path.GetFileName(l.Path));
        names.Add(System.IO.Path.GetFileName(output));
        names.Reverse();
        return names;
    }
}
