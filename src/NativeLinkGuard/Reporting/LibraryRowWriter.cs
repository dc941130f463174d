using System.Buffers;
using System.Text;
using System.Text.Json;
using NativeLinkGuard.Runtime;

namespace NativeLinkGuard.Reporting;

/// <summary>
/// Writes the rows of <see cref="LibraryListing"/>s byte for byte as an indented Utf8JsonWriter writes the objects
/// <c>{"name", "neededBy", "path", "rule"}</c> (docs/json-schema.md), straight into the output. A listing of a
/// thousand roots is a million rows over a few hundred strings per root: written property by property, escaping and
/// transcoding the same strings again and again was most of the run. Here each distinct string is escaped once and
/// kept across roots, and a row is nine copies.
/// </summary>
internal sealed class LibraryRowWriter
{
    // Escaped strings are kept by string object (the resolver hands out each spelling as one object) in one buffer
    // of fixed size, so that keeping them makes no object each and no garbage, and forgotten in bulk once they fill
    // half of it (a buffer left to grow, or an array per string, cost megabytes of peak memory). Half of it holds the
    // strings of a few neighbouring roots.
    private const int ArenaSize = 256 << 10;
    private readonly Dictionary<string, (int Start, int Length)> _encoded = new(ReferenceEqualityComparer.Instance);
    private readonly ArrayBufferWriter<byte> _arena = new(ArenaSize);
    // Escapes into the arena, as the report's writer escapes (the same default encoder).
    private readonly Utf8JsonWriter _escaper;
    private (int Start, int Length)[] _slots = new (int, int)[256];
    private readonly (int Start, int Length) _null;
    // The text between the values of a row, and after the last row; the first row has no leading comma.
    private readonly byte[] _open, _neededBy, _path, _rule, _close, _end;

    /// <summary>DEPTH: the writer's depth inside the array (<see cref="Utf8JsonWriter.CurrentDepth"/>).</summary>
    public LibraryRowWriter(int depth)
    {
        // Utf8JsonWriter's indented layout: its new line, two spaces per level, ": " after a property name.
        string nl = Environment.NewLine, row = new(' ', 2 * depth), property = nl + new string(' ', 2 * (depth + 1));
        _open = Encoding.UTF8.GetBytes($",{nl}{row}{{{property}\"name\": ");
        _neededBy = Encoding.UTF8.GetBytes($",{property}\"neededBy\": ");
        _path = Encoding.UTF8.GetBytes($",{property}\"path\": ");
        _rule = Encoding.UTF8.GetBytes($",{property}\"rule\": ");
        _close = Encoding.UTF8.GetBytes($"{nl}{row}}}");
        _end = Encoding.UTF8.GetBytes(nl + new string(' ', 2 * (depth - 1)));
        _escaper = new Utf8JsonWriter(_arena, new JsonWriterOptions { SkipValidation = true });
        _arena.Write("null"u8);
        _null = (0, 4);
    }

    /// <summary>
    /// Writes LISTING's rows into OUTPUT right after the array's "[" (the JSON writer flushed), with the new line
    /// and indentation before its "]": the JSON writer, which saw no element, then ends the array with "]" alone.
    /// </summary>
    public void Write(IBufferWriter<byte> output, LibraryListing listing)
    {
        if (listing.Count == 0) return;
        var strings = listing.Strings;
        if (_arena.WrittenCount > ArenaSize / 2)
        {
            _encoded.Clear();
            _arena.ResetWrittenCount();
            _arena.Write("null"u8);
        }
        if (_slots.Length < strings.Length) _slots = new (int, int)[Math.Max(strings.Length, _slots.Length * 2)];
        for (int i = 0; i < strings.Length; i++) _slots[i] = Encoded(strings[i]);
        var arena = _arena.WrittenSpan;
        var rows = listing.Rows;
        for (int k = 0; k < rows.Length; k += LibraryListing.Fields)
        {
            ReadOnlySpan<byte> open = k == 0 ? _open.AsSpan(1) : _open;
            var name = Value(arena, rows[k]);
            var neededBy = Value(arena, rows[k + 1]);
            var path = Value(arena, rows[k + 2]);
            var rule = Value(arena, rows[k + 3]);
            int length = open.Length + name.Length + _neededBy.Length + neededBy.Length + _path.Length + path.Length
                + _rule.Length + rule.Length + _close.Length;
            var span = output.GetSpan(length);
            open.CopyTo(span);
            int at = open.Length;
            Put(span, ref at, name);
            Put(span, ref at, _neededBy);
            Put(span, ref at, neededBy);
            Put(span, ref at, _path);
            Put(span, ref at, path);
            Put(span, ref at, _rule);
            Put(span, ref at, rule);
            Put(span, ref at, _close);
            output.Advance(length);
        }
        output.Write(_end);
    }

    private ReadOnlySpan<byte> Value(ReadOnlySpan<byte> arena, int slot)
    {
        var (start, length) = slot < 0 ? _null : _slots[slot];
        return arena.Slice(start, length);
    }

    private static void Put(Span<byte> span, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
    }

    // The JSON string, quoted and escaped, in the arena.
    private (int Start, int Length) Encoded(string s)
    {
        if (_encoded.TryGetValue(s, out var at)) return at;
        int start = _arena.WrittenCount;
        // A fresh top-level value each time: no list separator before it.
        _escaper.Reset(_arena);
        _escaper.WriteStringValue(s);
        _escaper.Flush();
        return _encoded[s] = (start, _arena.WrittenCount - start);
    }
}
