namespace NativeLinkGuard.Runtime;

/// <summary>
/// A memo of the last <c>capacity</c> answers, the oldest forgotten first. For answers that are asked again soon or
/// never: everything a run's memo keeps alive is copied by each garbage collection that finds it (on the benchmark
/// tree every megabyte kept cost ~5 ms of pauses), so an answer with no later use should not be kept.
/// </summary>
internal sealed class RecentMemo<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _values = new(capacity);
    private readonly Queue<TKey> _order = new(capacity);

    public bool TryGetValue(TKey key, out TValue value) => _values.TryGetValue(key, out value!);

    public TValue Add(TKey key, TValue value)
    {
        if (_values.TryAdd(key, value))
        {
            _order.Enqueue(key);
            if (_order.Count > capacity) _values.Remove(_order.Dequeue());
        }
        return value;
    }
}
