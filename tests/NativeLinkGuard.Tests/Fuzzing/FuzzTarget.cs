namespace NativeLinkGuard.Tests.Fuzzing;

/// <summary>
/// One parser under fuzz: its seeds, how to run one input through it, and where mutations pay off most. Adding a
/// parser to the harness is one more entry in <see cref="FuzzTargets.All"/>. Name: stable, the regression corpus
/// folder and the test case name. Seeds: valid inputs to start from (real files of this machine where there are any,
/// plus fixtures). Run: feeds one input to the parser; any exception that escapes is a failure, and so is a broken
/// invariant (throw <see cref="FuzzInvariantException"/>).
/// </summary>
internal sealed record FuzzTarget(string Name, Func<IReadOnlyList<byte[]>> Seeds, Action<byte[], FuzzCase> Run)
{
    /// <summary>Tokens the mutator splices in (keywords, magic numbers, path tricks).</summary>
    public IReadOnlyList<byte[]> Dictionary { get; init; } = [];

    /// <summary>Byte ranges of a seed where structure lives (headers, tables); most mutations land there.</summary>
    public Func<byte[], IReadOnlyList<(int Start, int Length)>>? HotRegions { get; init; }

    public override string ToString() => Name;
}

/// <summary>A parser returned something its contract rules out (true with no result, false with no error).</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);

/// <summary>Per-case scratch space for parsers that read from disk; emptied after the case.</summary>
internal sealed class FuzzCase(string directory)
{
    public string Directory { get; } = directory;

    public string Write(string relativePath, ReadOnlySpan<byte> bytes)
    {
        string full = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes.ToArray());
        return full;
    }

    /// <summary>Splits an input at NUL bytes into at most <paramref name="max"/> parts (several files from one input).</summary>
    public static IReadOnlyList<byte[]> Parts(byte[] input, int max)
    {
        var parts = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < input.Length && parts.Count < max - 1; i++)
        {
            if (input[i] != 0) continue;
            parts.Add(input[start..i]);
            start = i + 1;
        }
        parts.Add(input[start..]);
        return parts;
    }
}
