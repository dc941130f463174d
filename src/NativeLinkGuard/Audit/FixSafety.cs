namespace NativeLinkGuard.Audit;

/// <summary>
/// The gate every suggested command list passes before it is shown: applied to a <see cref="DirectoryModel"/>, it
/// must not remove or replace the last copy of any file's bytes, leave a name dangling or looping, make a name lead
/// out of the directory where it did not, or change the bytes a library name loads (except the names the fix
/// re-points on purpose); running the list twice must give what running it once gives.
/// </summary>
internal static class FixSafety
{
    /// <summary>Null when OPS are safe; else why not, in words.</summary>
    /// <param name="before">The directory as it is.</param>
    /// <param name="ops">The commands, in order.</param>
    /// <param name="names">The names whose loading must not change: every library name of the directory.</param>
    /// <param name="repointed">Names the fix moves to other bytes
    /// on purpose (a stale SONAME link to the newest file).</param>
    public static string? Check(DirectoryModel before, IReadOnlyList<FixOp> ops, IEnumerable<string> names,
        IReadOnlySet<string> repointed)
    {
        foreach (var op in ops)
        {
            if (!IsPlainName(op.Name) || (op.Target is { } t && !IsPlainName(t)))
                return $"'{op.Render()}' names something outside the directory";
            if (before.IsDirectory(op.Name)) return $"{op.Name} is a directory";
        }
        var after = before.Clone();
        foreach (var op in ops) after.Apply(op);
        var twice = after.Clone();
        foreach (var op in ops) twice.Apply(op);
        if (twice.State != after.State) return "running the commands twice would not give the same directory";

        var all = new SortedSet<string>(names, StringComparer.Ordinal);
        foreach (var op in ops)
        {
            all.Add(op.Name);
            if (op.Target is { } t) all.Add(t);
        }
        // A regular file a command replaces must keep its bytes in the directory under another name.
        foreach (var op in ops)
        {
            if (!before.IsRegularFile(op.Name, out var id)) continue;
            bool kept = all.Any(n => n != op.Name && after.IsRegularFile(n, out var other)
                && before.SameBytes(id, other));
            if (!kept) return $"{op.Name} holds the only copy of its bytes";
        }
        var touched = ops.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in all)
        {
            var was = before.Resolve(name);
            var now = after.Resolve(name);
            if (!now.Resolves && (was.Resolves || (touched.Contains(name) && after.Exists(name))))
                return $"{name} would lead nowhere ({now.Error})";
            if (now.Resolves && !now.Inside && (was.Inside || !was.Resolves))
                return $"{name} would lead out of the directory";
            if (was.Resolves && now.Resolves && was.Identity != now.Identity && !repointed.Contains(name)
                && !before.SameBytes(was.Identity!.Value, now.Identity!.Value))
                return $"{name} would load other bytes than it does now";
        }
        return null;
    }

    private static bool IsPlainName(string name) => name.Length > 0
        && name is not ("." or "..") && !name.Contains('/') && !name.Contains('\0');

}
