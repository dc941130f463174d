// The symbol stage on one large shared library: bytes read (counted in the byte source), which file ranges they came
// from, and time. Usage: SymbolBench LIB.so LOOKUPS [SECTION=START:SIZE ...]
// The sections (from `readelf -S`) are only used to attribute each read; the reader never sees them.
using System.Diagnostics;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Symbols;

string path = args[0];
int lookups = int.Parse(args[1]);
var sections = args.Skip(2).Select(a => a.Split('=', ':')).Select(p => (Name: p[0], Start: Convert.ToInt64(p[1], 16), Size: Convert.ToInt64(p[2], 16))).ToList();

using var file = new FileByteSource(path);
var recorder = new RecordingSource(new CountingByteSource(file));
var sw = Stopwatch.StartNew();
var opened = SymbolFiles.Open(recorder, Path.GetDirectoryName(path)!, LibraryFileKind.Elf, sharedObject: true);
var table = opened.Shared ?? throw new InvalidOperationException(opened.Error!.ToString());
double openMs = sw.Elapsed.TotalMilliseconds;
long openBytes = recorder.Counter.BytesRead;

// Names that exist (every 97th of the generated ones) and names that do not.
var rng = new Random(1);
sw.Restart();
int hits = 0;
for (int i = 0; i < lookups; i++)
{
    string name = i % 2 == 0 ? $"sym_{rng.Next(0, 100_000):D6}" : $"absent_{i}";
    if (table.Lookup(name).Count > 0) hits++;
}
double lookupMs = sw.Elapsed.TotalMilliseconds;
long lookupBytes = recorder.Counter.BytesRead - openBytes;
sw.Restart();
int undefined = table.Undefined().Count;
double undefinedMs = sw.Elapsed.TotalMilliseconds;

Console.WriteLine($"library            {path} ({new FileInfo(path).Length:N0} bytes)");
Console.WriteLine($"open               {openBytes,12:N0} bytes read  {openMs,8:F2} ms  (ELF header, program headers, .dynamic, hash header, version tables)");
Console.WriteLine($"{lookups:N0} lookups     {lookupBytes,12:N0} bytes read  {lookupMs,8:F2} ms  ({hits:N0} found, {lookups - hits:N0} absent; {lookupMs * 1000 / lookups:F2} us each)");
Console.WriteLine($"undefined symbols  {recorder.Counter.BytesRead - openBytes - lookupBytes,12:N0} bytes read  {undefinedMs,8:F2} ms  ({undefined} symbols)");
Console.WriteLine($"total              {recorder.Counter.BytesRead,12:N0} bytes in {recorder.Counter.Reads:N0} reads");
if (sections.Count > 0)
{
    Console.WriteLine("bytes read per section:");
    long outside = 0;
    foreach (var (start, length) in recorder.Ranges)
    {
        for (long at = start; at < start + length;)
        {
            var s = sections.FirstOrDefault(x => at >= x.Start && at < x.Start + x.Size);
            long end = s.Name is null ? sections.Where(x => x.Start > at).Select(x => x.Start).DefaultIfEmpty(start + length).Min() : s.Start + s.Size;
            long n = Math.Min(end, start + length) - at;
            string key = s.Name ?? (at < 4096 ? "(ELF header + program headers)" : "(outside any section)");
            recorder.PerSection[key] = recorder.PerSection.GetValueOrDefault(key) + n;
            if (s.Name is null && at >= 4096) outside += n;
            at += n;
        }
    }
    foreach (var (name, n) in recorder.PerSection.OrderByDescending(x => x.Value))
    {
        var sec = sections.FirstOrDefault(x => x.Name == name);
        Console.WriteLine($"  {name,-32} {n,12:N0} of {(sec.Name is null ? "-" : sec.Size.ToString("N0")),12}");
    }
    Console.WriteLine($"bytes outside .dynamic/.dynsym/.dynstr/.gnu.hash/.gnu.version*: {outside:N0}");
}

internal sealed class RecordingSource(CountingByteSource inner) : IByteSource
{
    public CountingByteSource Counter => inner;
    public List<(long Start, long Length)> Ranges { get; } = [];
    public Dictionary<string, long> PerSection { get; } = [];
    public long Length => inner.Length;

    public int ReadAt(long offset, Span<byte> buffer)
    {
        int n = inner.ReadAt(offset, buffer);
        Ranges.Add((offset, n));
        return n;
    }
}
