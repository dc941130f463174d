namespace NativeLinkGuard.Runtime;

/// <summary>
/// Roots that load cleanly, known without walking them: a thousand roots of one tree are mostly each other's
/// dependencies, and a root already seen loading cleanly as a dependency costs one table lookup.
/// </summary>
public sealed partial class RuntimeResolver
{
    // Why this is sound. A search context is (file facts, physical origin, inherited-DT_RPATH chain): the search memo's
    // key without the root (the memo is off where the root matters: $ORIGIN in LD_LIBRARY_PATH, or a fix being
    // verified). Its closure is the least set holding it and, for each DT_NEEDED of each member, the context of the
    // file the search finds, with the chain ChildChain gives. It is a property of contexts alone, not of a root or
    // of the order objects are loaded in: it ignores glibc's rule that a name matching the SONAME or name of an
    // object already loaded is satisfied by that object, and searches every name of every member instead.
    // A context is clean when every search of its closure finds a file (no miss, no fatal candidate) and no member
    // may name a stubs directory (NLG0005). A root whose own context is clean loads, with no finding, because the
    // walk only ever does less: the root's context is in the closure; an object the walk maps is found by a search
    // from an object already mapped, so (by induction) its context is the closure's member for that search; a lookup
    // either matches a loaded object (no search, nothing can fail) or is one of the closure's searches (it finds its
    // file); a file found again by identity adds no context; ld.so itself is mapped with no search and its
    // DT_NEEDED are never looked up. So which objects satisfy a name may differ between roots, but not whether every
    // name is satisfied. A context whose closure has a failure is only a reason to walk (the walk decides, and
    // builds the report); a clean one is remembered for every later root.
    private readonly Dictionary<(ObjectFacts Facts, int Origin, int Chain), bool> _clean = new();
    // The contexts of the search in progress: their depth on its stack, or -1 once finished without being remembered.
    private readonly Dictionary<(ObjectFacts Facts, int Origin, int Chain), int> _visiting = new();
    private readonly List<ClosureFrame> _closureStack = [];

    private sealed class ClosureFrame(ObjectFacts facts, int origin, int chain, string path, string searchOrigin)
    {
        public (ObjectFacts, int, int) Key { get; } = (facts, origin, chain);
        public ObjectFacts Facts { get; } = facts;
        public int Chain { get; } = chain;
        // Built only for a search the memo does not know.
        public LoadedObject Needing => _needing ??= new LoadedObject(path, Facts.Elf, null, searchOrigin, Chain);
        private LoadedObject? _needing;
        public int Next { get; set; }
        // The shallowest frame still on the stack that this one's closure reaches back to.
        public int Low { get; set; } = int.MaxValue;
    }

    /// <summary>Whether the root at PATH (FACTS, in ORIGIN) loads cleanly by its context's closure; false also
    /// where the closure is not used (see above) or not clean (the walk then decides).</summary>
    private bool LoadsCleanly(ObjectFacts facts, int origin, string path, string searchOrigin)
    {
        if (_hasOverrides || _extraFiles.Count > 0 || _env.LdLibraryPath?.Contains('$') == true) return false;
        int chain = ChildChain(0, origin, facts);
        if (_clean.TryGetValue((facts, origin, chain), out bool known)) return known;
        var start = new ClosureFrame(facts, origin, chain, path, searchOrigin);
        bool clean = ClosureIsClean(start);
        _visiting.Clear();
        _closureStack.Clear();
        return clean;
    }

    // Depth-first over the closure. A context is remembered clean once its whole closure is searched and found
    // clean without reaching a context still on the stack above it (or, at the end, every context searched, when the
    // whole closure is clean); every context on the stack when a failure is met reaches it, and is remembered unclean.
    private bool ClosureIsClean(ClosureFrame start)
    {
        if (MayNameStubs(start.Facts, start.Key.Item2)) return _clean[start.Key] = false;
        Push(start);
        while (_closureStack.Count > 0)
        {
            var top = _closureStack[^1];
            if (top.Next == top.Facts.Needed.Length)
            {
                Pop(top);
                continue;
            }
            int name = top.Facts.Needed[top.Next++];
            var key = new SearchKey(name, top.Facts.Profile, top.Key.Item2, top.Facts.HasRunpath ? -1 : top.Chain, -1);
            if (!_searches.TryGetValue(key, out var outcome))
                _searches[key] = outcome = SearchAnyChain(key, top.Needing, start.Needing);
            if (outcome.Path is null) return Unclean();
            var facts = outcome.Facts!;
            var child = (facts, outcome.OriginId, ChildChain(top.Chain, outcome.OriginId, facts));
            if (_clean.TryGetValue(child, out bool clean))
            {
                if (!clean) return Unclean();
                continue;
            }
            if (_visiting.TryGetValue(child, out int depth))
            {
                // On the stack: this closure reaches back to it. Finished but not remembered: it reached back to a
                // context that may since have left the stack, so whatever reaches it waits for the whole search.
                top.Low = Math.Min(top.Low, Math.Max(depth, 0));
                continue;
            }
            if (MayNameStubs(facts, outcome.OriginId)) return Unclean();
            Push(new ClosureFrame(facts, outcome.OriginId, child.Item3, outcome.Path, outcome.Origin));
        }
        // Nothing failed: every context searched reaches only clean ones.
        foreach (var k in _visiting.Keys) _clean[k] = true;
        return true;
    }

    private void Push(ClosureFrame f)
    {
        _visiting[f.Key] = _closureStack.Count;
        _closureStack.Add(f);
    }

    private void Pop(ClosureFrame f)
    {
        int depth = _closureStack.Count - 1;
        _closureStack.RemoveAt(depth);
        _visiting[f.Key] = -1;
        if (f.Low >= depth) _clean[f.Key] = true;
        else _closureStack[^1].Low = Math.Min(_closureStack[^1].Low, f.Low);
    }

    private bool Unclean()
    {
        foreach (var f in _closureStack) _clean[f.Key] = false;
        return false;
    }
}
