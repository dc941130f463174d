using System.Text;

namespace NativeLinkGuard.Elf;

/// <summary>
/// The dynamic strings of many ELF files, each spelling made into a string once: a thousand libraries of one tree
/// name the same few hundred DT_NEEDED names and share a DT_RPATH per package. A run's file cache keeps every file it
/// read, so without this each file's copies stayed alive to the end and were copied by every garbage collection
/// (5,100 of the 23,500 strings alive at the end of the benchmark tree's check). Thread-safe: a run reads files on two
/// threads.
/// </summary>
public sealed class ElfStrings
{
    private readonly object _gate = new();
    private string[] _strings = new string[256];
    private int[] _next = new int[256];
    private int[] _buckets = new int[256]; // 1-based indexes into _strings; 0 ends a chain
    private int _count;

    /// <summary>The string UTF8 spells, the same instance for the same bytes.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        int chars = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        var text = chars <= 512 ? stackalloc char[chars] : new char[chars];
        text = text[..Encoding.UTF8.GetChars(utf8, text)];
        int hash = string.GetHashCode(text);
        lock (_gate)
        {
            for (int i = _buckets[hash & (_buckets.Length - 1)]; i != 0; i = _next[i - 1])
                if (text.SequenceEqual(_strings[i - 1])) return _strings[i - 1];
            if (_count == _strings.Length) Grow();
            var s = new string(text);
            int b = hash & (_buckets.Length - 1);
            _strings[_count] = s;
            _next[_count] = _buckets[b];
            _buckets[b] = ++_count;
            return s;
        }
    }

    private void Grow()
    {
        Array.Resize(ref _strings, _strings.Length * 2);
        Array.Resize(ref _next, _strings.Length);
        _buckets = new int[_strings.Length];
        for (int i = 0; i < _count; i++)
        {
            int b = string.GetHashCode(_strings[i].AsSpan()) & (_buckets.Length - 1);
            _next[i] = _buckets[b];
            _buckets[b] = i + 1;
        }
    }
}
