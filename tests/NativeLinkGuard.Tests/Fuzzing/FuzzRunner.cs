using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace NativeLinkGuard.Tests.Fuzzing;

/// <summary>What one fuzz run did.</summary>
internal sealed record FuzzResult(string Target, int Cases, int Seeds, TimeSpan Elapsed, IReadOnlyList<FuzzFailure> Failures);

// Kind: exception, invariant, hang or memory.
// SavedAs: The failing input, saved for a regression test.
internal sealed record FuzzFailure(string Kind, string Signature, string Message, string SavedAs);

/// <summary>Settings of a run; the environment scales the CI smoke up to the long run.</summary>
internal sealed record FuzzOptions
{
    /// <summary>Cases per target (NLG_FUZZ_CASES).</summary>
    public int Cases { get; init; } = 250;

    /// <summary>
    /// Wall-clock budget per target, only when NLG_FUZZ_SECONDS asks for one: by default every case runs, so a slow
    /// machine runs the same smoke as a fast one (each case has its own time limit).
    /// </summary>
    public TimeSpan Budget { get; init; } = TimeSpan.MaxValue;

    /// <summary>Master seed (NLG_FUZZ_SEED); fixed by default so that CI is deterministic.</summary>
    public int Seed { get; init; } = 20261123;

    /// <summary>A case that runs longer is a hang.</summary>
    public TimeSpan CaseTimeLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A case that allocates more is unbounded memory (inputs are at most a few hundred KiB).</summary>
    public long CaseMemoryLimit { get; init; } = 256L << 20;

    /// <summary>Where failing inputs go (NLG_FUZZ_OUT).</summary>
    public string OutputDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "nlg-fuzz-findings");

    public static FuzzOptions FromEnvironment()
    {
        var o = new FuzzOptions();
        if (int.TryParse(Environment.GetEnvironmentVariable("NLG_FUZZ_CASES"), out int cases) && cases > 0)
            o = o with { Cases = cases };
        if (double.TryParse(Environment.GetEnvironmentVariable("NLG_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0)
            o = o with { Budget = TimeSpan.FromSeconds(s) };
        if (int.TryParse(Environment.GetEnvironmentVariable("NLG_FUZZ_SEED"), out int seed)) o = o with { Seed = seed };
        if (Environment.GetEnvironmentVariable("NLG_FUZZ_OUT") is { Length: > 0 } dir) o = o with { OutputDirectory = dir };
        return o;
    }
}

/// <summary>
/// Runs a target over mutated seeds. Each case runs on a pool thread under a time limit and an allocation limit;
/// an escaping exception, a broken invariant, a hang or a runaway allocation is a failure whose input is saved
/// (one per distinct signature) under the output directory.
/// </summary>
internal static class FuzzRunner
{
    public static FuzzResult Run(FuzzTarget target, FuzzOptions options)
    {
        var seeds = target.Seeds().Where(s => s.Length <= 4 << 20).ToList();
        if (seeds.Count == 0) seeds.Add([]);
        var hot = seeds.Select(s => target.HotRegions?.Invoke(s) ?? []).ToList();
        var rng = new Random(options.Seed ^ StableHash(target.Name));
        var mutator = new Mutator(rng);
        var failures = new List<FuzzFailure>();
        var signatures = new HashSet<string>(StringComparer.Ordinal);
        string scratch = Path.Combine(Path.GetTempPath(), $"nlg-fuzz-{target.Name}-{Guid.NewGuid():N}");
        var clock = Stopwatch.StartNew();
        int cases = 0;
        try
        {
            for (; cases < options.Cases && clock.Elapsed < options.Budget; cases++)
            {
                // Each seed once as it is, then mutations.
                int pick = cases < seeds.Count ? cases : rng.Next(seeds.Count);
                byte[] input = cases < seeds.Count ? seeds[pick] : mutator.Mutate(seeds[pick], hot[pick], target.Dictionary, seeds);
                string dir = Path.Combine(scratch, cases.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var failure = RunCase(target, input, dir, options, out bool hung);
                if (failure is not null && signatures.Add(failure.Value.Kind + "|" + failure.Value.Signature))
                    failures.Add(Save(target, input, failure.Value, options));
                if (hung) break; // its thread may still be running; stop this target
                TryDelete(dir);
                if (failures.Count >= 20) break;
            }
        }
        finally
        {
            TryDelete(scratch);
        }
        return new FuzzResult(target.Name, cases, seeds.Count, clock.Elapsed, failures);
    }

    /// <summary>Runs one input (the regression tests call this on saved inputs).</summary>
    public static (string Kind, string Signature, string Message)? RunCase(FuzzTarget target, byte[] input, string dir, FuzzOptions options, out bool hung)
    {
        Directory.CreateDirectory(dir);
        Exception? error = null;
        long allocated = 0;
        var task = Task.Factory.StartNew(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { target.Run(input, new FuzzCase(dir)); }
            catch (Exception e) { error = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        hung = !task.Wait(options.CaseTimeLimit);
        if (hung) return ("hang", "hang", $"did not finish within {options.CaseTimeLimit.TotalSeconds} s");
        if (error is FuzzInvariantException inv) return ("invariant", inv.Message, inv.Message);
        if (error is not null) return ("exception", Signature(error), error.ToString());
        if (allocated > options.CaseMemoryLimit) return ("memory", "memory", $"allocated {allocated:N0} bytes (limit {options.CaseMemoryLimit:N0})");
        return null;
    }

    /// <summary>Exception type and the first frame in our code: one saved input per distinct bug.</summary>
    private static string Signature(Exception e)
    {
        string frame = e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("NativeLinkGuard", StringComparison.Ordinal)) ?? "";
        int paren = frame.IndexOf('(', StringComparison.Ordinal);
        return e.GetType().Name + " " + (paren > 0 ? frame[..paren] : frame);
    }

    private static FuzzFailure Save(FuzzTarget target, byte[] input, (string Kind, string Signature, string Message) f, FuzzOptions options)
    {
        string dir = Path.Combine(options.OutputDirectory, target.Name);
        Directory.CreateDirectory(dir);
        string name = $"{f.Kind}-{Convert.ToHexStringLower(SHA256.HashData(input))[..16]}";
        string path = Path.Combine(dir, name + ".bin");
        File.WriteAllBytes(path, input);
        File.WriteAllText(Path.Combine(dir, name + ".txt"), $"{target.Name}: {f.Kind}\n{f.Signature}\n\n{f.Message}\n", Encoding.UTF8);
        return new FuzzFailure(f.Kind, f.Signature, f.Message, path);
    }

    private static int StableHash(string s)
    {
        int h = 17;
        foreach (char c in s) h = (h * 31) + c;
        return h;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
