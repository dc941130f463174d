using System.Text;

namespace NativeLinkGuard.Elf;

/// <summary>
/// Reads the global symbols of a relocatable object (.symtab) or a shared library (.dynsym) through the section
/// headers: only the section-header table, the symbol table and its string table are read, each bounds-checked.
/// Used by the --as-needed model; the full symbol-level model (versions, hash lookups) builds on it later.
/// </summary>
public static class SymbolReader
{
    private const uint SHT_SYMTAB = 2;
    private const uint SHT_DYNSYM = 11;
    private const int MaxSymbols = 8_000_000;
    private const long MaxStringTable = 512L << 20;

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
        error = null;
        try
        {
            symbols = Read(new BoundedSource(source, 0, source.Length));
            return true;
        }
        catch (ElfFormatException e)
        {
            error = new ElfReadError(e.Kind, e.Message, e.Offset);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = new ElfReadError(ElfReadErrorKind.IoError, e.Message);
            return false;
        }
    }

    private static SymbolSummary Read(BoundedSource src)
    {
        Span<byte> ident = stackalloc byte[64];
        if (src.Length < 64) throw new ElfFormatException(ElfReadErrorKind.Truncated, "too short for an ELF header", 0);
        src.Read(0, ident[..16]);
        if (ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F' || ident[4] is not (1 or 2) || ident[5] is not (1 or 2))
            throw new ElfFormatException(ElfReadErrorKind.NotElf, "not an ELF file", 0);
        bool is64 = ident[4] == 2;
        var e = new EndianReader(ident[5] == 2);
        src.Read(0, ident[..(is64 ? 64 : 52)]);
        ushort type = e.U16(ident[16..]);
        ulong shoff = is64 ? e.U64(ident[40..]) : e.U32(ident[32..]);
        int o = is64 ? 58 : 46;
        int shentsize = e.U16(ident[o..]);
        int shnum = e.U16(ident[(o + 2)..]);
        if (shoff == 0 || shnum == 0 || shentsize < (is64 ? 64 : 40) || shoff > long.MaxValue)
            throw new ElfFormatException(ElfReadErrorKind.Malformed, "no section headers to find the symbol table", 0);
        var sh = src.ReadArray((long)shoff, (long)shentsize * shnum);
        (uint Type, ulong Off, ulong Size, uint Link, ulong EntSize) Sec(int i)
        {
            var s = sh.AsSpan(i * shentsize, shentsize);
            return is64 ? (e.U32(s[4..]), e.U64(s[24..]), e.U64(s[32..]), e.U32(s[40..]), e.U64(s[56..]))
                        : (e.U32(s[4..]), e.U32(s[16..]), e.U32(s[20..]), e.U32(s[24..]), e.U32(s[36..]));
        }
        uint wanted = type == (ushort)ElfType.Relocatable ? SHT_SYMTAB : SHT_DYNSYM;
        var defined = new HashSet<string>(StringComparer.Ordinal);
        var undefined = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < shnum; i++)
        {
            var sec = Sec(i);
            if (sec.Type != wanted) continue;
            int entSize = is64 ? 24 : 16;
            if (sec.Link >= shnum) throw new ElfFormatException(ElfReadErrorKind.Malformed, "symbol table links past the section headers", (long)shoff);
            ulong count = sec.Size / (ulong)entSize;
            if (count > MaxSymbols) throw new ElfFormatException(ElfReadErrorKind.Malformed, $"{count} symbols is more than the reader accepts", null);
            var str = Sec((int)sec.Link);
            if (str.Size > (ulong)MaxStringTable || str.Off > long.MaxValue || sec.Off > long.MaxValue)
                throw new ElfFormatException(ElfReadErrorKind.Malformed, "symbol string table out of range", null);
            var strtab = src.ReadArray((long)str.Off, (long)str.Size);
            var syms = src.ReadArray((long)sec.Off, (long)count * entSize);
            for (int k = 1; k < (int)count; k++)
            {
                var s = syms.AsSpan(k * entSize, entSize);
                uint nameOff = e.U32(s);
                byte info = is64 ? s[4] : s[12];
                ushort shndx = is64 ? e.U16(s[6..]) : e.U16(s[14..]);
                int bind = info >> 4;
                if (bind is not (1 or 2)) continue; // GLOBAL or WEAK only
                if (nameOff >= strtab.Length) continue;
                int nul = Array.IndexOf(strtab, (byte)0, (int)nameOff);
                if (nul < 0) continue;
                string name = Encoding.UTF8.GetString(strtab, (int)nameOff, nul - (int)nameOff);
                if (name.Length == 0) continue;
                if (shndx == 0) { if (bind == 1) undefined.Add(name); }
                else defined.Add(name);
            }
            break;
        }
        return new SymbolSummary(defined, undefined);
    }
}
