using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Toolchain;

BenchmarkSwitcher.FromAssembly(typeof(ElfReaderBenchmarks).Assembly).Run(args);

/// <summary>The ELF reader on real files of this machine: what every check and runtime lookup pays per file.</summary>
[MemoryDiagnoser]
public class ElfReaderBenchmarks
{
    private readonly string _libc = "/lib/x86_64-linux-gnu/libc.so.6";
    private readonly string _libstdcxx = Directory.GetFiles("/usr/lib/x86_64-linux-gnu", "libstdc++.so.6*").OrderBy(f => f).Last();

    [Benchmark] public bool Libc() => ElfReader.TryRead(_libc, out _, out _);
    [Benchmark] public bool LibStdCxx() => ElfReader.TryRead(_libstdcxx, out _, out _);
    [Benchmark] public int LdSoCache() => LdSoCacheReader.Read("/etc/ld.so.cache", out _).Count;
}

/// <summary>
/// The runtime resolver on a generated tree (bench/gen-tree.py, path in NLG_TREE, default /tmp/nlg-tree): one deep
/// root with a cold file cache, and a warm pass over the 40 package heads as one run does.
/// </summary>
[MemoryDiagnoser]
public class RuntimeResolverBenchmarks
{
    private string[] _roots = [];

    [GlobalSetup]
    public void Setup()
    {
        string tree = Environment.GetEnvironmentVariable("NLG_TREE") ?? "/tmp/nlg-tree";
        if (!File.Exists(Path.Combine(tree, "files.txt"))) throw new InvalidOperationException($"run: python3 bench/gen-tree.py {tree}");
        _roots = File.ReadAllLines(Path.Combine(tree, "files.txt")).Where(f => f.EndsWith("_0.so.1.0.0", StringComparison.Ordinal)).ToArray();
    }

    [Benchmark]
    public bool DeepestRootCold() =>
        new RuntimeChecker(new RuntimeRequest { LdLibraryPath = "", IncludeLibraries = false }).Check(_roots[^1]).Loadable;

    [Benchmark]
    public int PackageHeadsOneRun()
    {
        var checker = new RuntimeChecker(new RuntimeRequest { LdLibraryPath = "", IncludeLibraries = false });
        return _roots.Count(r => checker.Check(r).Loadable);
    }

    [Benchmark]
    public int FileCacheReadsTheTree()
    {
        var files = new LibraryFileCache();
        return _roots.Sum(r => files.Get(r).Elf?.Needed.Count ?? 0);
    }
}
