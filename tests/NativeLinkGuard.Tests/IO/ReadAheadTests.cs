using NativeLinkGuard.IO;

namespace NativeLinkGuard.Tests.IO;

/// <summary>The runtime command's JSON reports are made on a second thread while they are written: the consumer must
/// see exactly the sequence, its exception where it was thrown, and an early stop must stop the maker.</summary>
public sealed class ReadAheadTests
{
    [TestCase(1, 1)]
    [TestCase(2, 2)]
    [TestCase(16, 2)]
    [TestCase(7, 3)]
    public void Every_item_comes_once_in_order(int batchSize, int batches)
    {
        foreach (int count in new[] { 0, 1, batchSize, batchSize + 1, 1000 })
            Assert.That(ReadAhead.Of(Enumerable.Range(0, count), batchSize, batches).ToList(),
                Is.EqualTo(Enumerable.Range(0, count).ToList()), $"{count} items");
    }

    private static IEnumerable<int> FailingAt(int n)
    {
        for (int i = 0; i < n; i++) yield return i;
        throw new InvalidOperationException($"boom at {n}");
    }

    [TestCase(0)]
    [TestCase(5)]
    [TestCase(16)]
    [TestCase(37)]
    public void An_exception_comes_after_the_items_made_before_it(int n)
    {
        var seen = new List<int>();
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (int i in ReadAhead.Of(FailingAt(n), batchSize: 16)) seen.Add(i);
        });
        Assert.That(e!.Message, Is.EqualTo($"boom at {n}"));
        Assert.That(e.StackTrace, Does.Contain(nameof(FailingAt)), "the maker's stack, not only the rethrow");
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, n).ToList()));
    }

    private sealed class Counted
    {
        public int Made;
        public bool Disposed;
        public int Thread;

        public IEnumerable<int> Endless()
        {
            try
            {
                Thread = Environment.CurrentManagedThreadId;
                for (int i = 0; ; i++)
                {
                    Interlocked.Increment(ref Made);
                    yield return i;
                }
            }
            finally
            {
                Disposed = true;
            }
        }
    }

    [Test]
    public void A_consumer_that_stops_early_stops_the_maker()
    {
        var source = new Counted();
        foreach (int i in ReadAhead.Of(source.Endless(), batchSize: 4, batches: 2))
            if (i == 5) break;
        int made = source.Made;
        Assert.That(source.Disposed, Is.True, "the source's finally ran before the consumer went on");
        Assert.That(made, Is.LessThanOrEqualTo(6 + 4 * 4), "bounded: the batches queued and the one being made");
        Assert.That(source.Thread, Is.Not.EqualTo(Environment.CurrentManagedThreadId), "made on another thread");
        Thread.Sleep(50);
        Assert.That(source.Made, Is.EqualTo(made), "nothing is made after the stop");
    }

    [Test]
    public void A_consumer_that_throws_stops_the_maker()
    {
        var source = new Counted();
        Assert.Throws<ArithmeticException>(() =>
        {
            foreach (int i in ReadAhead.Of(source.Endless(), batchSize: 2))
                if (i == 3) throw new ArithmeticException();
        });
        Assert.That(source.Disposed, Is.True);
    }
}
