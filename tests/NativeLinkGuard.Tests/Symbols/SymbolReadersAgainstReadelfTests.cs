using System.Text.RegularExpressions;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Symbols;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Symbols;

/// <summary>Our symbol readers against <c>readelf --dyn-syms</c>, <c>nm</c> and <c>ar</c> on real and gcc-built files.</summary>
[Category("RequiresCc")]
public sealed partial class SymbolReadersAgainstReadelfTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void MakeDir() => _dir = new TempDirectory();

    [TearDown]
    public void RemoveDir() => _dir.Dispose();

    private string P(string relative) => Path.Combine(_dir.Path, relative);

    private void Sh(string command)
    {
        var (code, output) = Tool.Run(_dir.Path, "sh", "-c", command);
        Assert.That(code, Is.Zero, output);
    }

    [GeneratedRegex(@"^\s*\d+: [0-9a-f]+\s+\d+ \S+\s+(GLOBAL|WEAK|UNIQUE)\s+\S+\s+(\S+) ([^\s(]+)", RegexOptions.Multiline)]
    private static partial Regex DynSymLine();

    private static List<(string Name, string? Version, bool Hidden, bool Defined)> Readelf(string path)
    {
        var (code, output) = Tool.Run(Path.GetDirectoryName(path)!, "readelf", "--dyn-syms", "-W", path);
        Assert.That(code, Is.Zero, output);
        var list = new List<(string, string?, bool, bool)>();
        foreach (Match m in DynSymLine().Matches(output))
        {
            string full = m.Groups[3].Value;
            bool defined = m.Groups[2].Value != "UND";
            int at = full.IndexOf('@');
            if (at < 0) { list.Add((full, null, false, defined)); continue; }
            bool dflt = full[(at + 1)..].StartsWith('@');
            list.Add((full[..at], full[(at + (dflt ? 2 : 1))..], defined && !dflt, defined));
        }
        return list;
    }

    private static DynamicSymbolTable Open(string path)
    {
        var f = SymbolFiles.Open(path, LibraryFileKind.Elf, sharedObject: true);
        Assert.That(f.Shared, Is.Not.Null, () => f.Error!.ToString());
        return f.Shared!;
    }

    private static readonly string[] s_systemLibraries = ["libm.so.6", "libc.so.6", "libstdc++.so.6"];

    [TestCaseSource(nameof(s_systemLibraries))]
    public void Hash_lookups_and_undefined_symbols_agree_with_readelf(string name)
    {
        string path = Tool.SystemFile(name);
        var expected = Readelf(path);
        var table = Open(path);
        using (Assert.EnterMultipleScope())
        {
            var undefined = table.Undefined().Select(s => (s.Name, s.Version)).OrderBy(x => x.ToString(), StringComparer.Ordinal);
            Assert.That(undefined, Is.EqualTo(expected.Where(e => !e.Defined).Select(e => (e.Name, e.Version)).OrderBy(x => x.ToString(), StringComparer.Ordinal)));
            foreach (var group in expected.Where(e => e.Defined).GroupBy(e => e.Name))
            {
                var ours = table.Lookup(group.Key).Select(s => (s.Version, s.VersionHidden)).OrderBy(x => x.ToString(), StringComparer.Ordinal);
                // readelf prints the base version (the SONAME) where we say "unversioned".
                var theirs = group.Select(e => (Version: e.Version == Path.GetFileName(path) ? null : e.Version, e.Hidden)).OrderBy(x => x.ToString(), StringComparer.Ordinal);
                Assert.That(ours, Is.EqualTo(theirs), group.Key);
            }
            Assert.That(table.Lookup("no_such_symbol_anywhere_42"), Is.Empty);
        }
    }

    [Test]
    public void Sysv_hash_only_library_is_read_through_DT_HASH()
    {
        _dir.Write("v.map", "V1 { global: f1; local: *; };\nV2 { global: f2; } V1;\n");
        _dir.Write("s.c", "int ext(void);\nint f1(void){return ext();}\nint f2(void){return 2;}\n");
        Sh("gcc -shared -fPIC -Wl,--hash-style=sysv -Wl,--version-script,v.map -o libs.so s.c");
        var table = Open(P("libs.so"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(table.Lookup("f2").Single().Version, Is.EqualTo("V2"));
            Assert.That(table.Lookup("f1").Single().Version, Is.EqualTo("V1"));
            Assert.That(table.Lookup("ext"), Is.Empty, "an undefined symbol is not a definition");
            Assert.That(table.Undefined().Select(s => s.Name), Does.Contain("ext"));
            Assert.That(table.DefinedVersions, Is.EquivalentTo(new[] { "V1", "V2" }));
        }
    }

    [Test]
    public void Object_symbols_carry_binding_and_symver_versions()
    {
        _dir.Write("o.c", "extern int u(void); __attribute__((weak)) extern int w(void);\n"
            + "int d(void){return u() + (w ? w() : 0);}\n__attribute__((visibility(\"hidden\"))) int h(void){return 0;}\n"
            + "int old_impl(void){return 1;}\n__asm__(\".symver old_impl,f@V1\");\nint common_var;\n");
        Sh("gcc -c -fPIC -fcommon -o o.o o.c");
        var f = SymbolFiles.Open(P("o.o"), LibraryFileKind.Elf, sharedObject: false);
        var syms = f.Object!.Symbols;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(syms.Single(s => s.Name == "u"), Has.Property("Defined").False.And.Property("Binding").EqualTo(SymbolBinding.Global));
            Assert.That(syms.Single(s => s.Name == "w").IsWeak, Is.True);
            Assert.That(syms.Single(s => s.Name == "h").Visibility, Is.EqualTo(SymbolVisibility.Hidden));
            Assert.That(syms.Single(s => s.Name == "f"), Has.Property("Version").EqualTo("V1").And.Property("VersionHidden").True);
            Assert.That(syms.Single(s => s.Name == "common_var").Defined, Is.True, "COMMON is a definition");
        }
    }

    private ArchiveSymbols Archive(string path)
    {
        var f = SymbolFiles.Open(path, LibraryFileKind.Archive, sharedObject: false);
        Assert.That(f.Archive, Is.Not.Null, () => f.Error!.ToString());
        return f.Archive!;
    }

    private void Members()
    {
        _dir.Write("a_member_with_a_long_name.c", "int long_fn(void){return 1;}\n");
        _dir.Write("b.c", "int b_fn(void){return 2;}\nint shared_name;\n");
        Sh("gcc -c a_member_with_a_long_name.c b.c");
    }

    [TestCase("ar rcs", "gnu")]
    [TestCase("ar rcsT", "thin")]
    [TestCase("llvm-ar rcs --format=bsd", "bsd")]
    [TestCase("llvm-ar rcs --format=gnu", "llvm-gnu")]
    public void Archive_index_and_member_names_agree_with_nm(string ar, string kind)
    {
        Members();
        Tool.RequireOnPath(ar.Split(" ")[0]);
        Sh($"{ar} lib{kind}.a a_member_with_a_long_name.o b.o");
        var a = Archive(P($"lib{kind}.a"));
        // The index as the archiver's own nm prints it ("SYM in MEMBER"; GNU nm cannot read the BSD __.SYMDEF).
        string nm = ar.StartsWith("llvm-", StringComparison.Ordinal) ? "llvm-nm" : "nm";
        Tool.RequireOnPath(nm);
        var (code, printed) = Tool.Run(_dir.Path, nm, "--print-armap", $"lib{kind}.a");
        Assert.That(code, Is.Zero, printed);
        var expected = System.Text.RegularExpressions.Regex.Matches(printed, @"^(\S+) in (\S+)$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(x => (x.Groups[1].Value, x.Groups[2].Value)).ToList();
        var ours = a.Index.SelectMany(e => e.Value.Select(offset => { a.Member(offset, out string name); return (e.Key, name); })).ToList();
        // The defined symbols of a member as nm lists them.
        var (_, memberList) = Tool.Run(_dir.Path, nm, "--defined-only", "a_member_with_a_long_name.o");
        var m = a.Member(a.Index["long_fn"][0], out _);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.HasIndex, Is.True);
            Assert.That(expected, Is.Not.Empty, printed);
            Assert.That(ours, Is.EquivalentTo(expected), printed);
            Assert.That(m.Symbols.Where(s => s.Defined).Select(s => s.Name),
                Is.EquivalentTo(memberList.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[^1])));
            Assert.That(a.Members(), Has.Count.EqualTo(2));
        }
    }

    [Test]
    public void Archive_without_index_says_so()
    {
        Members();
        Sh("ar rcS libnoidx.a b.o");
        Assert.That(Archive(P("libnoidx.a")).HasIndex, Is.False);
    }
}
