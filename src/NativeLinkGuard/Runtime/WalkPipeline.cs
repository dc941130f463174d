using System.Runtime.ExceptionServices;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Walks many roots on several threads and hands them back in the order given, each as soon as it and every root
/// before it are walked: the caller reports and forgets one root at a time, so a thousand roots are never held
/// at once. Walkers take short runs of neighbouring roots (one package shares its closures and searches) and stay at
/// most <see cref="Window"/> roots ahead of the caller.
/// </summary>
internal sealed class WalkPipeline(IReadOnlyList<string> files, IReadOnlyList<RuntimeWalker> walkers)
{
    private const int Run = 4;
    private const int Window = 16;
    private readonly WalkedRoot?[] _walked = new WalkedRoot?[files.Count];
    private readonly object _gate = new();
    private int _next;
    private int _consumed;
    private bool _stop;
    private ExceptionDispatchInfo? _failure;

    /// <summary>The walked roots in order. A caller that uses a root's walker (its findings are built from it) must
    /// hold the walker's lock, as its thread does while walking.</summary>
    public IEnumerable<WalkedRoot> Roots()
    {
        var threads = walkers.Select(w => new Thread(() => Work(w), maxStackSize: 16 << 20)
        {
            IsBackground = true
        }).ToList();
        foreach (var t in threads) t.Start();
        try
        {
            for (int i = 0; i < _walked.Length; i++) yield return Take(i);
        }
        finally
        {
            // Also when the caller stops early: the walkers finish their current root and end.
            lock (_gate)
            {
                _stop = true;
                Monitor.PulseAll(_gate);
            }
            foreach (var t in threads) t.Join();
        }
    }

    private WalkedRoot Take(int i)
    {
        lock (_gate)
        {
            while (_walked[i] is null && _failure is null) Monitor.Wait(_gate);
            _failure?.Throw();
            var root = _walked[i]!;
            _walked[i] = null;
            _consumed = i + 1;
            Monitor.PulseAll(_gate);
            return root;
        }
    }

    private void Work(RuntimeWalker walker)
    {
        // An exception on a thread of our own would end the process: it is handed to the caller instead, as a
        // one-thread check would throw it.
        try
        {
            while (NextRun() is var (start, end) && start < end)
                for (int i = start; i < end; i++)
                {
                    WalkedRoot root;
                    lock (walker) root = walker.Walk(files[i]);
                    lock (_gate)
                    {
                        _walked[i] = root;
                        Monitor.PulseAll(_gate);
                    }
                }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failure ??= ExceptionDispatchInfo.Capture(e);
                _stop = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private (int Start, int End) NextRun()
    {
        lock (_gate)
        {
            while (!_stop && _next < _walked.Length && _next >= _consumed + Window) Monitor.Wait(_gate);
            if (_stop || _next >= _walked.Length) return (0, 0);
            int start = _next;
            _next = Math.Min(_walked.Length, start + Run);
            return (start, _next);
        }
    }
}
