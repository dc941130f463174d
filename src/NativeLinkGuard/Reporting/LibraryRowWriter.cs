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
    // Escaped strings are kept by string object (the resolver hands out each spelling as one object) and forgotten in
    // bulk past this many, as the resolver forgets its spellings.
    private const int Kept = 8192;
    private static readonly byte[] Null = "null"u8.ToArray();
    private readonly Dictionary<string, byte[]> _encoded = new(ReferenceEqualityComparer.Instance);
    private byte[][] _slots = new byte[256][];
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
    }

    /// <summary>
    /// Writes LISTING's rows into OUTPUT right after the array's "[" (the JSON writer flushed), with the new line
    /// and indentation before its "]": the JSON writer, which saw no element, then ends the array with "]" alone.
    /// </summary>
    public void Write(IBufferWriter<byte> output, LibraryListing listing)
    {
        if (listing.Count == 0) return;
        var strings = listing.Strings;
        if (_slots.Length < strings.Length) _slots = new byte[Math.Max(strings.Length, _slots.Length * 2)][];
        if (_encoded.Count > Kept) _encoded.Clear();
        for (int i = 0; i < strings.Length; i++) _slots[i] = Encoded(strings[i]);
        var rows = listing.Rows;
        for (int k = 0; k < rows.Length; k += LibraryListing.Fields)
        {
            ReadOnlySpan<byte> open = k == 0 ? _open.AsSpan(1) : _open;
            byte[] name = Value(rows[k]), neededBy = Value(rows[k + 1]), path = Value(rows[k + 2]),
                rule = Value(rows[k + 3]);
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

    private byte[] Value(int slot) => slot < 0 ? Null : _slots[slot];

    private static void Put(Span<byte> span, ref int at, byte[] bytes)
    {
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
    }

    // The JSON string, quoted, escaped as the writer escapes it (JsonEncodedText uses the same default encoder).
    private byte[] Encoded(string s)
    {
        if (_encoded.TryGetValue(s, out var bytes)) return bytes;
        var text = JsonEncodedText.Encode(s).EncodedUtf8Bytes;
        bytes = new byte[text.Length + 2];
        bytes[0] = bytes[^1] = (byte)'"';
        text.CopyTo(bytes.AsSpan(1));
        return _encoded[s] = bytes;
    }
}
