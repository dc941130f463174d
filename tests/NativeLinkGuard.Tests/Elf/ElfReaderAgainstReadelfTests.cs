using System.Text.RegularExpressions;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Elf;

/// <summary>Differential tests: our reader against <c>readelf -d</c> on real files.</summary>
public sealed partial class ElfReaderAgainstReadelfTests
{
    private sealed record ReadelfDynamic(IReadOnlyList<string> Needed, string? Soname, string? Rpath, string? Runpath);

    [GeneratedRegex(@"\((NEEDED|SONAME|RPATH|RUNPATH)\)\s+[^\[]*\[(.*)\]\s*$", RegexOptions.Multiline)]
    private static partial Regex DynamicLine();

    private static ReadelfDynamic Readelf(string path)
    {
        var (code, output) = Tool.Run(System.IO.Path.GetDirectoryName(path)!, "readelf", "-dW", path);
        Assert.That(code, Is.Zero, output);
        var needed = new List<string>();
        string? soname = null, rpath = null, runpath = null;
        foreach (Match m in DynamicLine().Matches(output))
        {
            string value = m.Groups[2].Value;
            switch (m.Groups[1].Value)
            {
                case "NEEDED": needed.Add(value); break;
                case "SONAME": soname = value; break;
                case "RPATH": rpath = value; break;
                case "RUNPATH": runpath = value; break;
            }
        }
        return new ReadelfDynamic(needed, soname, rpath, runpath);
    }

    private static void AssertSameAsReadelf(string path)
    {
        var expected = Readelf(path);
        Assert.That(ElfReader.TryRead(path, out var file, out var error), Is.True, () => error!.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(file!.HasDynamicSection, Is.True);
            Assert.That(file.Needed, Is.EqualTo(expected.Needed));
            Assert.That(file.Soname, Is.EqualTo(expected.Soname));
            Assert.That(file.Rpath, Is.EqualTo(expected.Rpath));
            Assert.That(file.Runpath, Is.EqualTo(expected.Runpath));
        }
    }

    private static string BuildLibrary(TempDirectory dir, params string[] linkOptions)
    {
        dir.Write("x.c", "#include <math.h>\ndouble x(double v) { return sqrt(v); }\n");
        var args = new List<string> { "-shared", "-fPIC" };
        args.AddRange(linkOptions);
        args.AddRange(["-o", "libx.so.1.2", "x.c", "-lm"]);
        var (code, output) = Tool.Run(dir.Path, "gcc", [.. args]);
        Assert.That(code, Is.Zero, output);
        return System.IO.Path.Combine(dir.Path, "libx.so.1.2");
    }

    [Test]
    [Category("RequiresCc")]
    public void A_gcc_built_library_with_runpath_reads_as_readelf_shows_it()
    {
        Tool.RequireOnPath("gcc", "readelf");
        using var dir = new TempDirectory();

        string lib = BuildLibrary(dir, "-Wl,-soname,libx.so.1", "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--enable-new-dtags");

        AssertSameAsReadelf(lib);
        ElfReader.TryRead(lib, out var file, out _);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(file!.Soname, Is.EqualTo("libx.so.1"));
            Assert.That(file.Runpath, Is.EqualTo("$ORIGIN/../lib"));
            Assert.That(file.Rpath, Is.Null);
            Assert.That(file.Needed, Does.Contain("libm.so.6"));
            Assert.That(file.IsSharedObject, Is.True);
        }
    }

    [Test]
    [Category("RequiresCc")]
    public void A_gcc_built_library_with_old_style_rpath_reads_as_readelf_shows_it()
    {
        Tool.RequireOnPath("gcc", "readelf");
        using var dir = new TempDirectory();

        string lib = BuildLibrary(dir, "-Wl,-soname,libx.so.1", "-Wl,-rpath,/opt/a:/opt/b", "-Wl,--disable-new-dtags");

        AssertSameAsReadelf(lib);
        ElfReader.TryRead(lib, out var file, out _);
        Assert.That(file!.Rpath, Is.EqualTo("/opt/a:/opt/b"));
    }

    [Test]
    [Category("RequiresCc")]
    public void A_gcc_built_32_bit_library_reads_as_readelf_shows_it()
    {
        Tool.RequireOnPath("gcc", "readelf");
        using var dir = new TempDirectory();
        dir.Write("y.c", "int y(void) { return 1; }\n");
        var (code, output) = Tool.Run(dir.Path, "gcc", "-m32", "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,liby.so", "-o", "liby.so", "y.c");
        Assert.That(code, Is.Zero, "gcc -m32 -nostdlib needs no multilib: " + output);

        string lib = System.IO.Path.Combine(dir.Path, "liby.so");
        AssertSameAsReadelf(lib);
        ElfReader.TryRead(lib, out var file, out _);
        Assert.That(file!.Class, Is.EqualTo(ElfClass.Elf32));
    }

    // Names, not multiarch paths: the toolchain says where they are on this machine (the dynamic loader by its
    // name in the program interpreter of gcc's own output, so any host architecture works).
    private static IEnumerable<string> SystemLibraries() => ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "interpreter"];

    [TestCaseSource(nameof(SystemLibraries))]
    public void A_system_library_reads_as_readelf_shows_it(string name)
    {
        Tool.RequireOnPath("readelf");
        string path = name == "interpreter" ? Interpreter() : Tool.SystemFile(name);

        AssertSameAsReadelf(path);
    }

    /// <summary>The dynamic loader, as gcc's own program names it in PT_INTERP.</summary>
    private static string Interpreter()
    {
        using var dir = new TempDirectory();
        dir.Write("m.c", "int main(void) { return 0; }\n");
        Assert.That(Tool.Run(dir.Path, "gcc", "-o", "m", "m.c").ExitCode, Is.Zero);
        var m = System.Text.RegularExpressions.Regex.Match(Tool.Run(dir.Path, "readelf", "-l", "m").Output, @"program interpreter: ([^\]]+)\]");
        Assert.That(m.Success, Is.True, "gcc's program has a PT_INTERP");
        return m.Groups[1].Value;
    }
}
