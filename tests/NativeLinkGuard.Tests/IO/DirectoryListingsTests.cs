using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.IO;

public sealed class DirectoryListingsTests
{
    // The advisors used Directory.GetFiles; the readdir listing must give the same files for their patterns.
    [TestCase("libfoo.so*")]
    [TestCase("libfoo.so.*")]
    [TestCase("lib*.so*")]
    [TestCase("lib*.a")]
    [TestCase("*")]
    [TestCase("*.*")]
    [TestCase("lib?oo.so")]
    [TestCase("lib<x>\"\\.so*")]
    public void Files_match_what_Directory_GetFiles_lists(string pattern)
    {
        using var dir = new TempDirectory();
        foreach (var f in new[] { "libfoo.so", "libfoo.so.1", "libfoo.so.1.2", "libfooXso", "lib.so", "lib.a", "libbar.a", "libbar.a.b", "libbar.A",
                     "libFOO.so", "foo", ".libfoo.so", "libfoo", "lib<x>\"\\.so.1", "libfoo.so." })
            dir.Write(f, "x");
        Directory.CreateDirectory(Path.Combine(dir.Path, "libfoo.so.2"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "libdir.a"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "libfoo.so.3"), Path.Combine(dir.Path, "libfoo.so.2"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "libfoo.so.4"), "nowhere");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "libfoo.so.5"), "libfoo.so.1");
        var expected = Directory.GetFiles(dir.Path, pattern).Order(StringComparer.Ordinal).ToList();
        var listings = new DirectoryListings();
        Assert.That(listings.Files(dir.Path, pattern), Is.EqualTo(expected));
        Assert.That(listings.Files(dir.Path + "/", pattern), Is.EqualTo(Directory.GetFiles(dir.Path + "/", pattern).Order(StringComparer.Ordinal)));
    }

    [Test]
    public void A_missing_directory_or_a_file_lists_nothing_and_two_spellings_share_one_listing()
    {
        using var dir = new TempDirectory();
        string lib = Path.Combine(dir.Path, "lib");
        dir.Write("lib/libz.so.1", "x");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "alias"), lib);
        var listings = new DirectoryListings();
        Assert.That(listings.Files(Path.Combine(dir.Path, "missing"), "*"), Is.Empty);
        Assert.That(listings.Files(Path.Combine(lib, "libz.so.1"), "*"), Is.Empty);
        Assert.That(listings.Files(lib, "libz*"), Is.EqualTo(new[] { Path.Combine(lib, "libz.so.1") }));
        // Read once per run: a file added later is not seen, under either spelling of the directory.
        dir.Write("lib/libz.so.2", "x");
        Assert.That(listings.Files(Path.Combine(dir.Path, "alias"), "libz*"), Is.EqualTo(new[] { Path.Combine(dir.Path, "alias", "libz.so.1") }));
    }
}
