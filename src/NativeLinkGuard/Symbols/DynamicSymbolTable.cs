using System.Runtime.InteropServices;
using NativeLinkGuard.Elf;
using static NativeLinkGuard.Elf.ElfConstants;

namespace NativeLinkGuard.Symbols;

/// <summary>
/// The dynamic symbol table of a shared library, reached the way the loader reaches it: PT_DYNAMIC → DT_SYMTAB,
/// DT_STRTAB/DT_STRSZ, DT_GNU_HASH (else DT_HASH), DT_VERSYM, DT_VERDEF, DT_VERNEED, each address mapped through
/// PT_LOAD. Lookups by name walk the hash table (bloom word, bucket, one chain), never the whole table; the undefined
/// symbols are the GNU hash table's unhashed prefix (bfd's <c>_bfd_elf_hash_symbol</c> and lld both leave undefined
/// symbols out of the hash and sort them first), so listing them does not scan the defined ones either.
/// Section headers are never read. Malformed tables throw <see cref="ElfFormatException"/> inside the assembly and are
/// turned into an <see cref="ElfReadError"/> by <see cref="SymbolFiles"/>.
/// </summary>
public sealed class DynamicSymbolTable
{
    private const int MaxSymbols = 1 << 24;
    private const int MaxVersions = 1 << 15;

    /// <summary>Dynamic tags whose value is an address in the file (they bound the tables' regions).</summary>
    private static readonly HashSet<long> s_addressTags = [3, 4, 5, 6, 7, 12, 13, 17, 23, 25, 26, 32, 36, 0x6ffffef5,
        0x6ffffff0, 0x6ffffffc, 0x6ffffffe];

    private readonly BlockReader _r;
    private readonly bool _is64;
    private readonly EndianReader _e;
    private readonly long _symtab, _strtab, _strsz;
    private readonly long _versym = -1;
    private readonly long _gnuHash = -1, _sysvHash = -1;
    private readonly uint _nbuckets, _symoffset, _bloomSize, _bloomShift, _nchain;
    private readonly Dictionary<int, (string Name, bool Base)> _verdef = [];
    private readonly Dictionary<int, (string Name, string File)> _verneed = [];
    private readonly Dictionary<string, IReadOnlyList<ElfSymbol>> _lookups = new(StringComparer.Ordinal);
    private IReadOnlyList<ElfSymbol>? _undefined;

    internal DynamicSymbolTable(BoundedSource src)
    {
        var header = ElfHeader.Read(src);
        _is64 = header.Is64;
        _e = header.Endian;
        _r = new BlockReader(src, _e);
        var loads = ReadSegments(src, header, out var d);
        var tags = ReadDynamicTags(src, header, d);
        long Map(long tag) => MapAddress(loads, tags, tag);
        if (!tags.ContainsKey(DT_SYMTAB) || !tags.ContainsKey(DT_STRTAB))
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                "no DT_SYMTAB/DT_STRTAB in the dynamic section", Offset(d.Offset));
        _symtab = Map(DT_SYMTAB);
        _strtab = Map(DT_STRTAB);
        _strsz = tags.TryGetValue(DT_STRSZ, out var sz)
            ? (long)Math.Min(sz, (ulong)(src.Length - _strtab)) : src.Length - _strtab;
        if (tags.ContainsKey(DT_VERSYM)) _versym = Map(DT_VERSYM);
        AddTableRegions(src.Length, loads, tags, d);

        if (tags.ContainsKey(DT_GNU_HASH))
        {
            _gnuHash = Map(DT_GNU_HASH);
            _nbuckets = _r.U32(_gnuHash);
            _symoffset = _r.U32(_gnuHash + 4);
            _bloomSize = _r.U32(_gnuHash + 8);
            _bloomShift = _r.U32(_gnuHash + 12);
            if (_nbuckets == 0 || _nbuckets > MaxSymbols || _symoffset > MaxSymbols || _bloomSize == 0
                || _bloomSize > MaxSymbols || (_bloomSize & (_bloomSize - 1)) != 0)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"GNU hash table header is implausible (buckets {_nbuckets}, symoffset {_symoffset}, "
                    + $"bloom {_bloomSize})", _gnuHash);
            CheckRange(_gnuHash + 16, (long)_bloomSize * WordSize + (long)_nbuckets * 4, "GNU hash table");
        }
        else if (tags.ContainsKey(DT_HASH))
        {
            _sysvHash = Map(DT_HASH);
            _nbuckets = _r.U32(_sysvHash);
            _nchain = _r.U32(_sysvHash + 4);
            if (_nbuckets == 0 || _nbuckets > MaxSymbols || _nchain > MaxSymbols)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"hash table header is implausible (buckets {_nbuckets}, chains {_nchain})", _sysvHash);
            CheckRange(_sysvHash + 8, ((long)_nbuckets + _nchain) * 4, "hash table");
        }
        else throw new ElfFormatException(ElfReadErrorKind.Unsupported,
            "neither DT_GNU_HASH nor DT_HASH: the symbol count is unknown", Offset(d.Offset));

        if (tags.ContainsKey(DT_VERDEF)) ReadVerdef(Map(DT_VERDEF), tags.GetValueOrDefault(DT_VERDEFNUM));
        if (tags.ContainsKey(DT_VERNEED)) ReadVerneed(Map(DT_VERNEED), tags.GetValueOrDefault(DT_VERNEEDNUM));
    }

    /// <summary>The PT_LOAD segments (to map addresses) and the PT_DYNAMIC one, from the program headers.</summary>
    private static List<ProgramHeader> ReadSegments(BoundedSource src, ElfHeader header,
        out ProgramHeader dynamicSegment)
    {
        if (!header.HasProgramHeaders)
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                "no program headers to find the dynamic section", 0);
        var table = header.ReadProgramHeaders(src);
        var loads = new List<ProgramHeader>();
        ProgramHeader? dyn = null;
        for (int i = 0; i < header.PhNum; i++)
        {
            var p = header.ProgramHeaderAt(table, i);
            if (p.Type == PT_LOAD) loads.Add(p);
            else if (p.Type == PT_DYNAMIC) dyn ??= p;
        }
        dynamicSegment = dyn ?? throw new ElfFormatException(ElfReadErrorKind.Malformed,
            "no PT_DYNAMIC: not a dynamically linked object", 0);
        return loads;
    }

    /// <summary>The dynamic section's tags up to DT_NULL (the first of a repeated tag counts).</summary>
    private static Dictionary<long, ulong> ReadDynamicTags(BoundedSource src, ElfHeader header,
        ProgramHeader dynamicSegment)
    {
        var tags = new Dictionary<long, ulong>();
        foreach (var (tag, value) in header.ReadDynamic(src, dynamicSegment.Offset, dynamicSegment.FileSize))
            tags.TryAdd(tag, value);
        return tags;
    }

    /// <summary>The file offset of the address a dynamic tag holds, through the PT_LOAD segments.</summary>
    private static long MapAddress(List<ProgramHeader> loads, Dictionary<long, ulong> tags, long tag)
    {
        ulong addr = tags[tag];
        return ProgramHeader.FileOffsetOf(CollectionsMarshal.AsSpan(loads), addr) is { } offset ? Offset(offset)
            : throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"dynamic tag 0x{tag:x} points at 0x{addr:x}, outside every PT_LOAD segment", null);
    }

    /// <summary>
    /// Each table's region ends where the next table the dynamic section points at starts (or its segment ends):
    /// reads never leave .gnu.hash/.hash, .dynsym, .dynstr and .gnu.version*.
    /// </summary>
    private void AddTableRegions(long fileLength, List<ProgramHeader> loads, Dictionary<long, ulong> tags,
        ProgramHeader dynamicSegment)
    {
        var starts = new SortedSet<long> { Offset(dynamicSegment.Offset) };
        foreach (var (tag, value) in tags)
        {
            if (!s_addressTags.Contains(tag)) continue;
            foreach (var l in loads)
                if (value >= l.VirtualAddress && value - l.VirtualAddress < l.FileSize)
                    starts.Add(Offset(l.Offset + (value - l.VirtualAddress)));
        }
        foreach (var l in loads) starts.Add(Offset(l.Offset) + (long)Math.Min(l.FileSize, (ulong)long.MaxValue / 2));
        long End(long start) =>
            starts.GetViewBetween(start + 1, long.MaxValue).Min is var m && m > start ? m : fileLength;
        foreach (var tag in new[] { DT_SYMTAB, DT_GNU_HASH, DT_HASH, DT_VERSYM, DT_VERDEF, DT_VERNEED })
        {
            if (!tags.ContainsKey(tag)) continue;
            long at = MapAddress(loads, tags, tag);
            _r.AddRegion(at, End(at));
        }
        _r.AddRegion(_strtab, _strtab + _strsz);
    }

    private int WordSize => _is64 ? 8 : 4;

    private int SymSize => _is64 ? 24 : 16;

    /// <summary>Versions this library defines (DT_VERDEF), without the base version (its SONAME).</summary>
    public IReadOnlyList<string> DefinedVersions => _verdef.Values.Where(v => !v.Base).Select(v => v.Name)
        .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The definitions of <paramref name="name"/> (any version,
    /// hidden ones included), through the hash table.</summary>
    public IReadOnlyList<ElfSymbol> Lookup(string name)
    {
        if (_lookups.TryGetValue(name, out var cached)) return cached;
        var found = new List<ElfSymbol>();
        if (_gnuHash >= 0) GnuLookup(name, found);
        else SysvLookup(name, found);
        _lookups[name] = found;
        return found;
    }

    /// <summary>The symbols this library references and does not
    /// define (GLOBAL or WEAK), with the versions they need.</summary>
    public IReadOnlyList<ElfSymbol> Undefined()
    {
        if (_undefined is not null) return _undefined;
        // GNU hash: unhashed symbols (undefined ones among them) come first, below symoffset. SysV: all nchain symbols.
        uint count = _gnuHash >= 0 ? _symoffset : _nchain;
        var list = new List<ElfSymbol>();
        for (uint i = 1; i < count; i++)
        {
            var s = Symbol(i);
            if (s is { Defined: false } u
                && u.Binding is SymbolBinding.Global or SymbolBinding.Weak && u.Name.Length > 0)
                list.Add(u);
        }
        return _undefined = list;
    }

    private void GnuLookup(string name, List<ElfSymbol> found)
    {
        uint h = 5381;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(name)) h = h * 33 + b;
        int bits = WordSize * 8;
        long bloomAt = _gnuHash + 16 + (long)((h / (uint)bits) & (_bloomSize - 1)) * WordSize;
        ulong word = _is64 ? _r.U64(bloomAt) : _r.U32(bloomAt);
        ulong mask = (1UL << (int)(h % (uint)bits)) | (1UL << (int)((h >> (int)(_bloomShift & 31)) % (uint)bits));
        if ((word & mask) != mask) return;
        long buckets = _gnuHash + 16 + (long)_bloomSize * WordSize;
        uint i = _r.U32(buckets + (long)(h % _nbuckets) * 4);
        if (i == 0) return;
        if (i < _symoffset)
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"GNU hash bucket points at symbol {i}, below symoffset {_symoffset}", buckets);
        long chains = buckets + (long)_nbuckets * 4;
        // A chain ends at an entry with its low bit set; it only moves forward, so MaxSymbols bounds it.
        for (int steps = 0; steps < MaxSymbols; steps++, i++)
        {
            uint ch = _r.U32(chains + (long)(i - _symoffset) * 4);
            if ((ch | 1) == (h | 1) && Symbol(i) is { } s && s.Defined && s.Name == name) found.Add(s);
            if ((ch & 1) != 0) return;
        }
        throw new ElfFormatException(ElfReadErrorKind.Malformed, "GNU hash chain does not end", chains);
    }

    private void SysvLookup(string name, List<ElfSymbol> found)
    {
        uint h = 0;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(name))
        {
            h = (h << 4) + b;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        long buckets = _sysvHash + 8, chains = buckets + (long)_nbuckets * 4;
        uint i = _r.U32(buckets + (long)(h % _nbuckets) * 4);
        // SysV chains can loop in a corrupt file: a chain longer than the table is one.
        for (uint steps = 0; i != 0; steps++)
        {
            if (i >= _nchain)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"hash chain points at symbol {i}, past the {_nchain} symbols", chains);
            if (steps > _nchain) throw new ElfFormatException(ElfReadErrorKind.Malformed, "hash chain loops", chains);
            if (Symbol(i) is { } s && s.Defined && s.Name == name) found.Add(s);
            i = _r.U32(chains + (long)i * 4);
        }
    }

    private ElfSymbol? Symbol(uint index)
    {
        long at = _symtab + (long)index * SymSize;
        Span<byte> s = stackalloc byte[24];
        s = s[..SymSize];
        _r.Read(at, s);
        uint nameOff = _e.U32(s);
        byte info = _is64 ? s[4] : s[12];
        byte other = _is64 ? s[5] : s[13];
        ushort shndx = _is64 ? _e.U16(s[6..]) : _e.U16(s[14..]);
        var bind = (SymbolBinding)(info >> 4);
        if (bind == SymbolBinding.Local) return null;
        if (nameOff >= _strsz)
            throw new ElfFormatException(ElfReadErrorKind.Malformed,
                $"symbol {index} names string {nameOff}, past DT_STRSZ {_strsz}", at);
        string name = _r.CString(_strtab + nameOff, _strsz - nameOff);
        bool defined = shndx != 0;
        string? version = null, versionFile = null;
        bool hidden = false;
        if (_versym >= 0)
        {
            ushort v = _r.U16(_versym + (long)index * 2);
            hidden = (v & 0x8000) != 0;
            int idx = v & 0x7fff;
            // bfd leaves a non-hidden absolute non-function symbol unversioned: it may be the version's own symbol.
            bool versionSymbol = !hidden && shndx == 0xfff1 && (info & 0xf) != 2;
            if (idx > 1 && !versionSymbol)
            {
                if (defined)
                {
                    if (!_verdef.TryGetValue(idx, out var vd))
                        throw new ElfFormatException(ElfReadErrorKind.Malformed,
                            $"symbol {name} has version index {idx}, which DT_VERDEF does not define",
                            _versym + (long)index * 2);
                    if (!vd.Base) version = vd.Name;
                }
                else
                {
                    if (!_verneed.TryGetValue(idx, out var vn))
                        throw new ElfFormatException(ElfReadErrorKind.Malformed,
                            $"symbol {name} needs version index {idx}, which DT_VERNEED does not list",
                            _versym + (long)index * 2);
                    version = vn.Name;
                    versionFile = vn.File;
                }
            }
        }
        bool versionHidden = hidden && version is not null;
        return new ElfSymbol(name, bind, (SymbolVisibility)(other & 3), defined, version, versionHidden)
        {
            VersionFile = versionFile,
        };
    }

    private void ReadVerdef(long at, ulong count)
    {
        long pos = at;
        for (ulong n = 0; n < Math.Min(count == 0 ? (ulong)MaxVersions : count, MaxVersions); n++)
        {
            ushort flags = _r.U16(pos + 2), ndx = _r.U16(pos + 4), cnt = _r.U16(pos + 6);
            uint aux = _r.U32(pos + 12), next = _r.U32(pos + 16);
            if (cnt > 0)
            {
                uint nameOff = _r.U32(pos + aux);
                if (nameOff >= _strsz)
                    throw new ElfFormatException(ElfReadErrorKind.Malformed,
                        $"version definition names string {nameOff}, past DT_STRSZ", pos);
                _verdef[ndx & 0x7fff] = (_r.CString(_strtab + nameOff, _strsz - nameOff), (flags & 1) != 0);
            }
            if (next == 0) return;
            pos += next;
        }
    }

    private void ReadVerneed(long at, ulong count)
    {
        long pos = at;
        for (ulong n = 0; n < Math.Min(count == 0 ? (ulong)MaxVersions : count, MaxVersions); n++)
        {
            ushort cnt = _r.U16(pos + 2);
            uint fileOff = _r.U32(pos + 4), aux = _r.U32(pos + 8), next = _r.U32(pos + 12);
            if (fileOff >= _strsz)
                throw new ElfFormatException(ElfReadErrorKind.Malformed,
                    $"version requirement names string {fileOff}, past DT_STRSZ", pos);
            string file = _r.CString(_strtab + fileOff, _strsz - fileOff);
            long a = pos + aux;
            for (int k = 0; k < cnt && k < MaxVersions; k++)
            {
                ushort other = _r.U16(a + 6);
                uint nameOff = _r.U32(a + 8), anext = _r.U32(a + 12);
                if (nameOff >= _strsz)
                    throw new ElfFormatException(ElfReadErrorKind.Malformed,
                        $"version requirement names string {nameOff}, past DT_STRSZ", a);
                _verneed[other & 0x7fff] = (_r.CString(_strtab + nameOff, _strsz - nameOff), file);
                if (anext == 0) break;
                a += anext;
            }
            if (next == 0) return;
            pos += next;
        }
    }

    private void CheckRange(long offset, long size, string what)
    {
        if (offset < 0 || size < 0 || size > _r.Length || offset > _r.Length - size)
            throw new ElfFormatException(ElfReadErrorKind.Truncated,
                $"{what} of {size} bytes at 0x{offset:x} runs past the end of the file", offset);
    }

    private static long Offset(ulong v) => BoundedSource.Offset(v);
}
