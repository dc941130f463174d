namespace NativeLinkGuard.Tests.Fuzzing.Topology;

/// <summary>Which real linker judges a case: the native GNU ld, lld (through gcc's -fuse-ld), or Debian's aarch64 cross ld.</summary>
public enum LinkerFlavour { GnuLd, Lld, CrossLd }

internal static class LinkerFlavours
{
    public const string CrossCompiler = "aarch64-linux-gnu-gcc";

    /// <summary>The compiler driver that builds the world and runs the link.</summary>
    public static string Compiler(this LinkerFlavour f) => f == LinkerFlavour.CrossLd ? CrossCompiler : "gcc";

    /// <summary>The name NLG_FUZZ_FLAVOURS uses.</summary>
    public static string Name(this LinkerFlavour f) => f switch { LinkerFlavour.GnuLd => "ld", LinkerFlavour.Lld => "lld", _ => "aarch64" };
}
