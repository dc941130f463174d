using System.Text;
using NativeLinkGuard.Elf;

namespace NativeLinkGuard.Symbols;

/// <summary>
/// The global symbols of a relocatable object (<c>.symtab</c>): its definitions (COMMON included) and references.
/// A name written <c>f@@V</c> defines the default version V, <c>f@V</c> a hidden one (or, undefined, needs V): how
/// <c>.symver</c> shows in an object. <see cref="IsLtoIntermediate"/>: GCC's slim LTO objects carry no real symbols.
/// </summary>
public sealed record ObjectSymbols(IReadOnlyList<ElfSymbol> Symbols, bool IsLtoIntermediate)
{
    private const uint SHT_SYMTAB = 2;
    private const uint SHT_DYNSYM = 11;
    private const int MaxSymbols = 8_000_000;
    private const long MaxStringTable = 256L << 20;

    internal static ObjectSymbols Read(BoundedSource src) => Read(src, dynamicSection: false);

    /// <summary>
    /// Which of <paramref name="names"/> (undefined in this object) a relocation uses. ld reports an undefined symbol
    /// of an object only through a relocation against it (glibc's gcrt1.o lists __GI_memcpy and never uses it), so an
    /// unused entry of the symbol table is no error. Read only when a link would otherwise be predicted to fail.
    /// </summary>
    internal static HashSet<string> UsedByRelocations(BoundedSource src, IReadOnlySet<string> names)
    {
        const uint SHT_RELA = 4, SHT_REL = 9;
        var used = new HashSet<string>(StringComparer.Ordinal);
        var header = ElfHeader.Read(src);
        bool is64 = header.Is64;
        var e = header.Endian;
        int shnum = header.ShNum;
        if (shnum == 0 || header.ShOff > long.MaxValue) return used;
        var sh = header.ReadSectionHeaders(src);
        SectionHeader Sec(int i) => header.SectionHeaderAt(sh, i);
        for (int i = 0; i < shnum; i++)
        {
            var symtab = Sec(i);
            if (symtab.Type != SHT_SYMTAB || symtab.Link >= shnum) continue;
            // Symbol index → wanted name, from one pass over the table.
            var str = Sec((int)symtab.Link);
            if (str.Size > (ulong)MaxStringTable || symtab.Size / (ulong)(is64 ? 24 : 16) > MaxSymbols) break;
            var strtab = src.ReadArray((long)str.Offset, (long)str.Size);
            int entSize = is64 ? 24 : 16;
            var syms = src.ReadArray((long)symtab.Offset, (long)(symtab.Size / (ulong)entSize) * entSize);
            var wanted = new Dictionary<ulong, string>();
            for (int k = 1; k < syms.Length / entSize; k++)
            {
                uint nameOff = e.U32(syms.AsSpan(k * entSize));
                if (nameOff >= strtab.Length) continue;
                int nul = Array.IndexOf(strtab, (byte)0, (int)nameOff);
                if (nul < 0) continue;
                string name = Encoding.UTF8.GetString(strtab, (int)nameOff, nul - (int)nameOff);
                int at = name.IndexOf('@');
                if (names.Contains(at > 0 ? name[..at] : name)) wanted[(ulong)k] = at > 0 ? name[..at] : name;
            }
            for (int r = 0; r < shnum && wanted.Count > used.Count; r++)
            {
                var rel = Sec(r);
                if (rel.Type is not (SHT_RELA or SHT_REL) || rel.Link != i) continue;
                int size = (is64 ? 16 : 8) + (rel.Type == SHT_RELA ? (is64 ? 8 : 4) : 0);
                if (rel.Size > MaxStringTable || rel.Offset > long.MaxValue) continue;
                var bytes = src.ReadArray((long)rel.Offset, (long)(rel.Size / (ulong)size) * size);
                for (int k = 0; k + size <= bytes.Length; k += size)
                {
                    ulong info = is64 ? e.U64(bytes.AsSpan(k + 8)) : e.U32(bytes.AsSpan(k + 4));
                    ulong sym = is64 ? info >> 32 : info >> 8;
                    if (wanted.TryGetValue(sym, out var n)) used.Add(n);
                }
            }
            break;
        }
        return used;
    }

    /// <summary>Reads <c>.symtab</c>, or with <paramref name="dynamicSection"/>
    /// <c>.dynsym</c> through the section headers.</summary>
    internal static ObjectSymbols Read(BoundedSource src, bool dynamicSection)
    {
        var header = ElfHeader.Read(src);
        bool is64 = header.Is64;
        var e = header.Endian;
        ulong shoff = header.ShOff;
        int shnum = header.ShNum;
        if (shnum == 0) return new ObjectSymbols([], false);
        var sh = header.ReadSectionHeaders(src);
        SectionHeader Sec(int i) => header.SectionHeaderAt(sh, i);
        var list = new List<ElfSymbol>();
        bool lto = false;
        for (int i = 0; i < shnum; i++)
        {
            var sec = Sec(i);
            if (sec.Type != (dynamicSection ? SHT_DYNSYM : SHT_SYMTAB)) continue;
            int entSize = is64 ? 24 : 16;
            if (sec.Link >= shnum)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    "symbol table links past the section headers", (long)shoff);
            ulong count = sec.Size / (ulong)entSize;
            if (count > MaxSymbols)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"{count} symbols is more than the reader accepts", null);
            var str = Sec((int)sec.Link);
            if (str.Size > (ulong)MaxStringTable || str.Offset > long.MaxValue || sec.Offset > long.MaxValue)
                throw new ElfFormatException(ElfReadErrorKind.Malformed, "symbol string table out of range", null);
            var strtab = src.ReadArray((long)str.Offset, (long)str.Size);
            var syms = src.ReadArray((long)sec.Offset, (long)count * entSize);
            for (int k = 1; k < (int)count; k++)
            {
                var s = syms.AsSpan(k * entSize, entSize);
                uint nameOff = e.U32(s);
                byte info = is64 ? s[4] : s[12];
                byte other = is64 ? s[5] : s[13];
                ushort shndx = is64 ? e.U16(s[6..]) : e.U16(s[14..]);
                var bind = (SymbolBinding)(info >> 4);
                if (bind is not (SymbolBinding.Global or SymbolBinding.Weak or SymbolBinding.Unique)) continue;
                if (nameOff >= strtab.Length)
                    throw new ElfFormatException(ElfReadErrorKind.Malformed,
                        $"symbol {k} names string {nameOff}, past its string table", (long)sec.Offset);
                int nul = Array.IndexOf(strtab, (byte)0, (int)nameOff);
                if (nul < 0)
                    throw new ElfFormatException(ElfReadErrorKind.Malformed,
                        $"symbol {k} has an unterminated name", (long)str.Offset);
                string name = Encoding.UTF8.GetString(strtab, (int)nameOff, nul - (int)nameOff);
                if (name.Length == 0) continue;
                if (name is "__gnu_lto_slim" or "__gnu_lto_v1") lto = true;
                bool defined = shndx != 0;
                string? version = null;
                bool hidden = false;
                int at = name.IndexOf('@');
                if (at > 0)
                {
                    bool dflt = at + 1 < name.Length && name[at + 1] == '@';
                    version = name[(at + (dflt ? 2 : 1))..];
                    hidden = defined && !dflt;
                    name = name[..at];
                }
                list.Add(new ElfSymbol(name, bind, (SymbolVisibility)(other & 3), defined, version, hidden));
            }
            break;
        }
        return new ObjectSymbols(list, lto);
    }
}
