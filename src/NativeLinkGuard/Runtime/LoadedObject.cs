using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// One object in the emulated process: the root, the loader itself, or a dependency ld.so mapped. The resolver keeps
/// its objects as compact records and builds these only for what is reported or searched (see
/// <see cref="RuntimeResolution"/>).
/// </summary>
public sealed class LoadedObject
{
    // FILENAME: the path's last component where the caller holds it already (a searched name is one), so the
    // chains of a thousand failures do not each cut a new string from the path.
    internal LoadedObject(string path, ElfFile elf, LoadedObject? loader, string origin, int rpathChainId,
        string? fileName = null)
    {
        Path = path;
        _fileName = fileName;
        Elf = elf;
        Loader = loader;
        Origin = origin;
        RpathChainId = rpathChainId;
        Depth = loader is null ? 0 : loader.Depth + 1;
    }

    /// <summary>The path ld.so opened (search dir + name, unnormalised, as <c>ldd</c> prints it).</summary>
    public string Path { get; }
    public ElfFile Elf { get; }

    /// <summary>The object whose DT_NEEDED made ld.so load this one (glibc's l_loader); null for the root.</summary>
    public LoadedObject? Loader { get; }

    /// <summary>ld.so's l_origin: the directory of the path as opened, made absolute, symlinks not resolved
    /// (a program's is its real directory, as exec's /proc/self/exe).</summary>
    public string Origin { get; }
    public int Depth { get; }

    /// <summary>Identifies the DT_RPATH lists of this object and the objects above it (inherited RPATH): equal ids,
    /// equal RPATH search.</summary>
    internal int RpathChainId { get; }

    public bool NoDefaultLibs => (Elf.Flags1 & 0x800) != 0; // DF_1_NODEFLIB

    /// <summary>A program rather than a library: ET_EXEC, or ET_DYN marked DF_1_PIE.</summary>
    public static bool IsProgram(ElfFile elf) => elf.Type == ElfType.Executable || (elf.Flags1 & 0x08000000) != 0;

    public string FileName => _fileName ??= System.IO.Path.GetFileName(Path);

    private string? _fileName;

    public IEnumerable<LoadedObject> LoaderChain()
    {
        for (var o = this; o is not null; o = o.Loader) yield return o;
    }

    public override string ToString() => Path;
}
