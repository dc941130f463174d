using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Runtime;

public sealed class DirectoryIndexTests
{
    [Test]
    public void Two_spellings_of_one_directory_are_listed_once_and_answer_alike()
    {
        using var dir = new TempDirectory();
        dir.Write("real/liba.so.1", "");
        dir.Write("real/libb.so.1", "");
        string real = Path.Combine(dir.Path, "real"), link = Path.Combine(dir.Path, "link");
        File.CreateSymbolicLink(link, "real"); // as /lib -> usr/lib on a merged-/usr system
        var index = new DirectoryIndex();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(index.Contains(real, "liba.so.1"), Is.True);
            Assert.That(index.Contains(link, "libb.so.1"), Is.True);
            Assert.That(index.Contains(link, "libc.so.1"), Is.False);
            Assert.That(index.Contains(Path.Combine(dir.Path, "other"), "liba.so.1"), Is.False);
            Assert.That(index.DirectoryExists(link), Is.True);
            Assert.That(index.DirectoryExists(Path.Combine(dir.Path, "other")), Is.False);
            Assert.That(index.ListingsRead, Is.EqualTo(1));
        }
    }
}
