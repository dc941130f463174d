using System.Runtime.ExceptionServices;

namespace NativeLinkGuard.IO;

/// <summary>
/// Enumerates a sequence on a second thread, a few batches ahead of its consumer: one thread makes the items (the
/// runtime check walks roots and builds their findings) while the other writes them out. Items come in their order;
/// an exception thrown while making them is thrown to the consumer where that item would have come, and a consumer
/// that stops early stops the maker after the item in hand.
/// </summary>
internal static class ReadAhead
{
    /// <summary>SOURCE made on another thread, at most BATCHES batches of BATCHSIZE items ahead: handing over a batch
    /// wakes a thread (a futex call each way), an item at a time would cost more than some items do.</summary>
    public static IEnumerable<T> Of<T>(IEnumerable<T> source, int batchSize = 16, int batches = 2)
    {
        using var queue = new System.Collections.Concurrent.BlockingCollection<List<T>>(batches);
        using var stop = new CancellationTokenSource();
        ExceptionDispatchInfo? failure = null;
        var maker = new Thread(Make) { IsBackground = true, Name = "nativelinkguard read-ahead" };
        maker.Start();

        void Make()
        {
            var batch = new List<T>(batchSize);
            try
            {
                try
                {
                    foreach (var item in source)
                    {
                        batch.Add(item);
                        if (batch.Count < batchSize) continue;
                        queue.Add(batch, stop.Token);
                        batch = new List<T>(batchSize);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // Thrown after the items made before it, which are handed over first.
                    failure = ExceptionDispatchInfo.Capture(e);
                }
                if (batch.Count > 0) queue.Add(batch, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped and waits for nothing more.
            }
            finally
            {
                queue.CompleteAdding();
            }
        }
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
                foreach (var item in batch) yield return item;
            maker.Join();
            failure?.Throw();
        }
        finally
        {
            // An early stop (or an exception in the consumer): release a maker blocked on a full queue and let it end
            // before the queue is disposed.
            stop.Cancel();
            maker.Join();
        }
    }
}
