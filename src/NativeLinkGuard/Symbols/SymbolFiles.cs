using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Symbols;

/// <summary>The symbol view of one link input: a shared library's
/// table, an object's symbols, or an archive's index.</summary>
public sealed class SymbolFile
{
    public DynamicSymbolTable? Shared { get; init; }
    public ObjectSymbols? Object { get; init; }
    public ArchiveSymbols? Archive { get; init; }
    public ElfReadError? Error { get; init; }
}

/// <summary>
/// Opens symbol tables through the bounded readers and turns every format problem into an <see cref="ElfReadError"/>:
/// nothing escapes as an exception. Read once per run (see <c>LibraryFileCache.Symbols</c>).
/// A shared library's file stays open while the run lasts, because its lookups are lazy.
/// </summary>
public static class SymbolFiles
{
    public static SymbolFile Open(string path, Resolution.LibraryFileKind kind, bool sharedObject)
    {
        FileByteSource? source = null;
        try
        {
            source = new FileByteSource(path);
            var file = Open(source, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".",
                kind, sharedObject, out bool keep);
            if (!keep) source.Dispose();
            return file;
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            source?.Dispose();
            return new SymbolFile { Error = new ElfReadError(ElfReadErrorKind.IoError, $"{path}: {e.Message}") };
        }
    }

    /// <summary>Opens from any byte source (tests, the benchmark's counting source).</summary>
    public static SymbolFile Open(IByteSource source, string directory,
        Resolution.LibraryFileKind kind, bool sharedObject) =>
        Open(source, directory, kind, sharedObject, out _);

    private static SymbolFile Open(IByteSource source, string directory, Resolution.LibraryFileKind kind,
        bool sharedObject, out bool keepOpen)
    {
        // Lazy readers (a shared library's table, an archive) keep the source open for their lookups.
        bool lazy = kind == Resolution.LibraryFileKind.Archive || sharedObject;
        bool ok = ElfReadError.Catch(() =>
        {
            var bounded = new BoundedSource(source, 0, source.Length);
            if (kind == Resolution.LibraryFileKind.Archive)
                return new SymbolFile { Archive = new ArchiveSymbols(source, directory) };
            return sharedObject ? new SymbolFile { Shared = new DynamicSymbolTable(bounded) }
                : new SymbolFile { Object = ObjectSymbols.Read(bounded) };
        }, out var file, out var error);
        keepOpen = ok && lazy;
        return ok ? file! : new SymbolFile { Error = error };
    }

    /// <summary>Runs a lazy read (a lookup, an extraction) and turns a format problem into an error value.</summary>
    public static bool Try<T>(Func<T> read, out T? value, out ElfReadError? error) =>
        ElfReadError.Catch(read, out value, out error);

    /// <summary><see cref="DynamicSymbolTable.Lookup"/> as <see cref="Try{T}"/> runs it, without a delegate per
    /// call.</summary>
    public static bool TryLookup(DynamicSymbolTable table, string name, out IReadOnlyList<ElfSymbol>? symbols,
        out ElfReadError? error) =>
        ElfReadError.Catch((table, name), static s => s.table.Lookup(s.name), out symbols, out error);
}
