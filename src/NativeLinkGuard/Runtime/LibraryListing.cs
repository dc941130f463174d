using System.Collections;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Every lookup of one root as <c>ldd</c> lists it, held as four indexes per row into the root's distinct strings
/// (name, needing object's path, found path, rule). A thousand roots list a million rows that share a few hundred
/// paths and rules per root: the rows cost no objects, and a writer encodes each string once per root, not once per
/// row (Reporting.LibraryRowWriter). <see cref="RuntimeLibrary"/> rows are made only when asked for.
/// </summary>
internal sealed class LibraryListing : IReadOnlyList<RuntimeLibrary>
{
    /// <summary>Indexes per row: name, neededBy, path, rule (-1: null).</summary>
    internal const int Fields = 4;

    private readonly string[] _strings;
    private readonly int[] _rows;

    private LibraryListing(string[] strings, int[] rows)
    {
        _strings = strings;
        _rows = rows;
    }

    public static LibraryListing Empty { get; } = new([], []);

    public int Count => _rows.Length / Fields;

    /// <summary>The distinct strings the rows index.</summary>
    internal ReadOnlySpan<string> Strings => _strings;

    /// <summary>Row after row, <see cref="Fields"/> indexes each.</summary>
    internal ReadOnlySpan<int> Rows => _rows;

    public RuntimeLibrary this[int index]
    {
        get
        {
            var row = _rows.AsSpan(index * Fields, Fields);
            return new RuntimeLibrary(_strings[row[0]], _strings[row[1]], At(row[2]), At(row[3]));
        }
    }

    private string? At(int slot) => slot < 0 ? null : _strings[slot];

    public IEnumerator<RuntimeLibrary> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Any list of rows (a report made by a caller) as a listing.</summary>
    public static LibraryListing Of(IReadOnlyList<RuntimeLibrary> libraries)
    {
        if (libraries is LibraryListing listing) return listing;
        var strings = new List<string>();
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new int[libraries.Count * Fields];
        int k = 0;
        foreach (var l in libraries)
        {
            rows[k++] = Slot(l.Name);
            rows[k++] = Slot(l.NeededBy);
            rows[k++] = l.Path is null ? -1 : Slot(l.Path);
            rows[k++] = l.Rule is null ? -1 : Slot(l.Rule);
        }
        return new LibraryListing([.. strings], rows);

        int Slot(string s)
        {
            if (!slots.TryGetValue(s, out int slot))
            {
                slots[s] = slot = strings.Count;
                strings.Add(s);
            }
            return slot;
        }
    }

    /// <summary>
    /// Makes the rows of one root from its lookup records. Each object's path is asked for once (by index) and each
    /// name once (by interned id); rules, few and shared, are told apart by reference. One builder per thread, reused
    /// root after root: its tables grow to the largest root once instead of being made again for each.
    /// </summary>
    internal sealed class Builder
    {
        [ThreadStatic] private static Builder? t_builder;
        private readonly List<string> _strings = [];
        private readonly Dictionary<string, int> _ruleSlots = new(ReferenceEqualityComparer.Instance);
        // By interned name id: the slot of the name, valid where the stamp is this root's.
        private int[] _nameStamps = new int[1024], _nameSlots = new int[1024];
        private int _epoch;
        // Slot + 1 of each object's path (0: not asked for yet).
        private int[] _objectSlots = new int[256];
        private int[] _rows = [];
        private Func<int, string> _objectPath = null!, _name = null!;
        // Most rows say "already loaded": the last rule is compared before the table is hashed.
        private string? _lastRule;
        private int _lastRuleSlot = -1;
        private int _next;

        /// <summary>This thread's builder, emptied for a root of ROWS lookups and OBJECTS objects, whose paths
        /// and names OBJECTPATH and NAME tell.</summary>
        public static Builder Start(int rows, int objects, Func<int, string> objectPath, Func<int, string> name)
        {
            var b = t_builder ??= new Builder();
            b._strings.Clear();
            b._ruleSlots.Clear();
            b._lastRule = null;
            if (++b._epoch == int.MaxValue)
            {
                Array.Clear(b._nameStamps);
                b._epoch = 1;
            }
            if (b._objectSlots.Length < objects) b._objectSlots = new int[Math.Max(objects, b._objectSlots.Length * 2)];
            else Array.Clear(b._objectSlots, 0, objects);
            b._rows = new int[rows * Fields];
            b._next = 0;
            (b._objectPath, b._name) = (objectPath, name);
            return b;
        }

        /// <summary>One lookup: the interned NAME, the needing object, the found object (-1: none) and the
        /// rule.</summary>
        public void Add(int nameId, int neededBy, int found, string? rule)
        {
            _rows[_next++] = NameSlot(nameId);
            _rows[_next++] = ObjectSlot(neededBy);
            _rows[_next++] = found < 0 ? -1 : ObjectSlot(found);
            _rows[_next++] = RuleSlot(rule);
        }

        /// <summary>The listing; the builder lets go of it and of the root's callbacks.</summary>
        public LibraryListing Build()
        {
            var listing = new LibraryListing([.. _strings], _next == _rows.Length ? _rows : _rows[.._next]);
            _rows = [];
            _strings.Clear();
            _ruleSlots.Clear();
            _lastRule = null;
            (_objectPath, _name) = (null!, null!);
            return listing;
        }

        private int NameSlot(int id)
        {
            if (id >= _nameStamps.Length)
            {
                int size = Math.Max(id + 1, _nameStamps.Length * 2);
                Array.Resize(ref _nameStamps, size);
                Array.Resize(ref _nameSlots, size);
            }
            if (_nameStamps[id] != _epoch)
            {
                _nameStamps[id] = _epoch;
                _nameSlots[id] = NewSlot(_name(id));
            }
            return _nameSlots[id];
        }

        private int ObjectSlot(int index)
        {
            ref int slot = ref _objectSlots[index];
            if (slot == 0) slot = NewSlot(_objectPath(index)) + 1;
            return slot - 1;
        }

        private int RuleSlot(string? rule)
        {
            if (rule is null) return -1;
            if (ReferenceEquals(rule, _lastRule)) return _lastRuleSlot;
            if (!_ruleSlots.TryGetValue(rule, out int slot)) _ruleSlots[rule] = slot = NewSlot(rule);
            _lastRule = rule;
            return _lastRuleSlot = slot;
        }

        private int NewSlot(string s)
        {
            _strings.Add(s);
            return _strings.Count - 1;
        }
    }
}
