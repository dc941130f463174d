using NativeLinkGuard.Symbols;

namespace NativeLinkGuard.Elf;

/// <summary>
/// The defined and strongly referenced names of a relocatable object (.symtab) or a shared library (.dynsym, through
/// the section headers): a whole-table summary. The link model itself uses <see cref="ObjectSymbols"/> and
/// <see cref="DynamicSymbolTable"/> (hash lookups); this stays for callers that want every name.
/// </summary>
public static class SymbolReader
{
    public static bool TryRead(string path, out SymbolSummary? symbols, out ElfReadError? error)
    {
        symbols = null;
        try
        {
            using var source = new FileByteSource(path);
            return TryRead(source, out symbols, out error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error = new ElfReadError(ElfReadErrorKind.IoError, e.Message);
            return false;
        }
    }

    public static bool TryRead(IByteSource source, out SymbolSummary? symbols, out ElfReadError? error)
    {
        symbols = null;
        var src = new BoundedSource(source, 0, source.Length);
        if (!SymbolFiles.Try(() => ObjectSymbols.Read(src, dynamicSection: !IsRelocatable(src)), out var read,
            out error)) return false;
        var defined = new HashSet<string>(StringComparer.Ordinal);
        var undefined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in read!.Symbols)
        {
            if (s.Defined) defined.Add(s.Name);
            else if (!s.IsWeak) undefined.Add(s.Name);
        }
        symbols = new SymbolSummary(defined, undefined);
        return true;
    }

    /// <summary>Anything that is not a well-formed header other than ET_REL is read as an object, whose reader then
    /// reports what is wrong with it.</summary>
    private static bool IsRelocatable(BoundedSource src)
    {
        try
        {
            return ElfHeader.Read(src).Type == ElfType.Relocatable;
        }
        catch (ElfFormatException)
        {
            return true;
        }
    }
}
