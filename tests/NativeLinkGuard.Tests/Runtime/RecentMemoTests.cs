using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Tests.Runtime;

public sealed class RecentMemoTests
{
    [Test]
    public void Keeps_the_last_answers_and_forgets_the_oldest_first()
    {
        var memo = new RecentMemo<int, string>(3);
        foreach (int k in new[] { 1, 2, 3 }) memo.Add(k, $"v{k}");
        memo.Add(2, "again"); // known: neither replaced nor counted twice
        memo.Add(4, "v4");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(memo.TryGetValue(1, out _), Is.False);
            foreach (int k in new[] { 2, 3, 4 })
                Assert.That(memo.TryGetValue(k, out var v) ? v : null, Is.EqualTo($"v{k}"));
        }
        memo.Add(5, "v5");
        Assert.That(memo.TryGetValue(2, out _), Is.False);
    }
}
