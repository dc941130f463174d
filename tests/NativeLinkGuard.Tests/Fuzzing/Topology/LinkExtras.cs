namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// The archives and linker scripts of a world (issue 16, item 1), drawn for a fraction of worlds from a random stream
/// of their own, and built on the first link drawn (runtime cases never ask for them), so other worlds and their links
/// stay as they were. A link of such a world also gets -Wl,-Bstatic/-Wl,-Bdynamic spans and now and then -static.
/// </summary>
internal sealed class LinkExtras
{
    public const double ArchiveShare = 0.35, ScriptShare = 0.35;

    private readonly ArchiveInputs? _archives;
    private readonly ScriptInputs? _scripts;

    public LinkExtras(World world, Random rng)
    {
        bool archives = rng.NextDouble() < ArchiveShare, scripts = rng.NextDouble() < ScriptShare;
        if (archives) _archives = new ArchiveInputs(world, rng) is { Archives.Count: > 0 } a ? a : null;
        if (scripts) _scripts = new ScriptInputs(world, _archives, rng);
    }

    public bool Any => _archives is not null || _scripts is not null;

    /// <summary>A link's extra inputs (not yet placed) and the libraries the program then uses; nothing is drawn
    /// in a world without archives or scripts.</summary>
    public Drawn Draw(World world, Random rng, List<World.Library> direct, List<World.Library> used)
    {
        var drawn = new Drawn(this);
        if (!Any) return drawn;
        _archives?.DrawUnnamed(world, rng, direct, used, drawn.Inputs, drawn.LibraryDirs);
        _scripts?.Spell(world, rng, drawn.Inputs, used, drawn.LibraryDirs);
        return drawn;
    }

    public sealed class Drawn(LinkExtras extras)
    {
        public List<string> Inputs { get; } = [];
        public List<string> LibraryDirs { get; } = [];

        /// <summary>Respells named libraries that have archives, places the extra inputs among the others, adds
        /// the -Bstatic spans, -static and the extra -L directories.</summary>
        public void Arrange(World world, Random rng, List<World.Library> direct, List<string> inputs,
            List<string> ldirs, List<string> cmd)
        {
            if (!extras.Any) return;
            extras._archives?.Respell(world, rng, direct, inputs, ldirs);
            foreach (var x in Inputs) inputs.Insert(rng.Next(inputs.Count + 1), x);
            ldirs.AddRange(LibraryDirs);
            if (rng.NextDouble() < 0.6) ArchiveInputs.Toggle(rng, inputs, cmd);
        }
    }
}
