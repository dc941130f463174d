using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>
/// Every object a random topology is made of, compiled once per test run in one gcc call: lib i is def_i.o (defines
/// fn_i) plus one ref_j.o (calls fn_j) per dependency j, the program is main.o plus ref_j.o per library it uses. So
/// a world's libraries are only linked, never compiled, and a missing dependency is an undefined fn_j.
/// The aarch64 objects (for the cross flavour) are compiled on first use. A build of each library for the other
/// architecture (SONAME libLi.so.1) is the wrong-class damage.
/// </summary>
internal sealed class ObjectPool
{
    public const int MaxLibraries = 6;
    private static readonly Lazy<ObjectPool> s_shared = new(() => new ObjectPool(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lazy<string> _crossObjects;
    private readonly Lazy<string> _auditLibraries;

    public static ObjectPool Shared => s_shared.Value;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "nlg-topology-pool-" + Environment.ProcessId);

    /// <summary>Null when the aarch64 cross compiler is absent (the wrong-class damage is then not drawn).</summary>
    public string? ArmDir { get; }

    /// <summary>x86-64 builds of each library: the wrong-class damage of a cross world.</summary>
    public string HostDir => Path.Combine(Dir, "x86");

    private ObjectPool()
    {
        Directory.CreateDirectory(Dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        var sources = new List<string> { "main.c" };
        File.WriteAllText(Path.Combine(Dir, "main.c"), "int main(void){return 0;}\n");
        for (int i = 0; i < MaxLibraries; i++)
        {
            File.WriteAllText(Path.Combine(Dir, $"def{i}.c"), $"int fn{i}(void){{return {i};}}\n");
            File.WriteAllText(Path.Combine(Dir, $"ref{i}.c"), $"int fn{i}(void);\nint use{i}(void){{return fn{i}();}}\n");
            sources.Add($"def{i}.c");
            sources.Add($"ref{i}.c");
        }
        Run("gcc", ["-c", "-fPIC", .. sources], Dir);
        _crossObjects = new(() => CompileCross(sources), LazyThreadSafetyMode.ExecutionAndPublication);
        _auditLibraries = new(LinkAuditLibraries, LazyThreadSafetyMode.ExecutionAndPublication);
        Directory.CreateDirectory(HostDir);
        for (int i = 0; i < MaxLibraries; i++)
            Run("gcc", ["-shared", "-fPIC", "-nostdlib", $"-Wl,-soname,libL{i}.so.1", "-o", $"x86/libL{i}.so.1", $"def{i}.c"], Dir);
        if (ProcessRunner.FindOnPath(LinkerFlavours.CrossCompiler, Environment.GetEnvironmentVariable("PATH")) is null) return;
        ArmDir = Path.Combine(Dir, "arm");
        Directory.CreateDirectory(ArmDir);
        for (int i = 0; i < MaxLibraries; i++)
            Run(LinkerFlavours.CrossCompiler, ["-shared", "-fPIC", "-nostdlib", $"-Wl,-soname,libL{i}.so.1", "-o", $"arm/libL{i}.so.1", $"def{i}.c"], Dir);
    }

    /// <summary>An object of the flavour's architecture.</summary>
    public string Object(string name, LinkerFlavour flavour) =>
        Path.Combine(flavour == LinkerFlavour.CrossLd ? _crossObjects.Value : Dir, name);

    /// <summary>The other architecture's build of library i, or null where there is none.</summary>
    public string? WrongClassLibrary(int index, LinkerFlavour flavour) =>
        flavour == LinkerFlavour.CrossLd ? Path.Combine(HostDir, $"libL{index}.so.1") : ArmDir is { } arm ? Path.Combine(arm, $"libL{index}.so.1") : null;

    /// <summary>
    /// For the audit worlds: family f, major m is libA{f}.so.{m} with that SONAME (m = 0 there: no SONAME);
    /// linked on first use.
    /// </summary>
    public string AuditLibrary(int family, int major) => Path.Combine(_auditLibraries.Value, $"libA{family}.so.{major}");

    public const int AuditFamilies = 3;

    private string LinkAuditLibraries()
    {
        string dir = Path.Combine(Dir, "audit");
        Directory.CreateDirectory(dir);
        for (int f = 0; f < AuditFamilies; f++)
            for (int m = 0; m <= 2; m++)
                Run("gcc", ["-shared", "-nostdlib", "-o", $"audit/libA{f}.so.{m}", .. m == 0 ? Array.Empty<string>() : [$"-Wl,-soname,libA{f}.so.{m}"], $"def{f}.o"], Dir);
        return dir;
    }

    private string CompileCross(List<string> sources)
    {
        string dir = Path.Combine(Dir, "aarch64");
        Directory.CreateDirectory(dir);
        Run(LinkerFlavours.CrossCompiler, ["-c", "-fPIC", .. sources.Select(s => Path.Combine(Dir, s))], dir);
        return dir;
    }

    private static void Run(string tool, IEnumerable<string> args, string dir)
    {
        var r = ProcessRunner.Run(tool, args, null, dir, timeoutMs: 120_000);
        if (r.ExitCode != 0) throw new InvalidOperationException($"{tool} failed building the topology pool:\n{r.StandardError}");
    }
}
