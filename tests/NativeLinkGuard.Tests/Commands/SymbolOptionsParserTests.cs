using NativeLinkGuard.Commands;

namespace NativeLinkGuard.Tests.Commands;

/// <summary>The ld options the symbol model follows, parsed as collect2 and bare ld spell them.</summary>
public sealed class SymbolOptionsParserTests
{
    private static LinkRequest Parse(params string[] args) => LdArgumentParser.Parse(["ld", .. args]);

    [Test]
    public void Groups_and_whole_archive_are_positional()
    {
        var r = Parse("a.o", "--start-group", "-lx", "b.a", "--end-group", "-(", "-ly", "-)", "--whole-archive", "c.a", "--no-whole-archive", "d.a");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Inputs.Select(i => i.Group), Is.EqualTo(new[] { 0, 1, 1, 2, 0, 0 }));
            Assert.That(r.Inputs.Select(i => i.WholeArchive), Is.EqualTo(new[] { false, false, false, false, true, false }));
            Assert.That(r.UnknownOptions, Is.Empty);
        }
    }

    [Test]
    public void Undefined_symbol_policies_are_read()
    {
        var r = Parse("-shared", "-z", "defs", "--warn-unresolved-symbols", "--unresolved-symbols=ignore-in-object-files", "-u", "a", "--undefined=b", "--defsym", "c=0x10", "a.o");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.NoUndefined, Is.True);
            Assert.That(r.WarnUnresolvedSymbols, Is.True);
            Assert.That(r.UnresolvedSymbols, Is.EqualTo("ignore-in-object-files"));
            Assert.That(r.ForcedUndefined, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(r.DefinedByOption, Is.EqualTo(new[] { "c" }));
            Assert.That(r.Inputs.Single().Name, Is.EqualTo("a.o"));
        }
        Assert.That(Parse("--no-undefined", "-z", "undefs").NoUndefined, Is.False);
        Assert.That(Parse("--wrap=malloc").SymbolOptionsNotModelled, Is.EqualTo(new[] { "--wrap=malloc" }));
    }

    [Test]
    public void Build_id_does_not_swallow_the_next_option()
    {
        var r = Parse("--build-id", "-m", "elf_x86_64", "-static", "main.o");
        Assert.That((r.Emulation, r.Inputs.Single().Name), Is.EqualTo(("elf_x86_64", "main.o")));
    }
}
