using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Audit;

/// <summary>One directory's audit: the findings, and the SONAME links ldconfig would make (SONAME → file).</summary>
public sealed record DirectoryAudit(string Directory,
    IReadOnlyList<Finding> Findings, IReadOnlyDictionary<string, string> SonameLinks);

/// <summary>
/// Audits a library directory by ldconfig's rules (<see cref="LdconfigRules"/>), changing nothing, and says only
/// what <c>ldconfig -n -N -X -v DIR</c> would: NLG0004 where it prints "is not a symbolic link", NLG0010 where it
/// prints "Cannot stat", NLG0011 where its writing run (ldconfig -n DIR, one SONAME after another) would
/// create or re-point a SONAME link. Files are told apart by identity
/// (device, inode), never by name. Every command shown has passed <see cref="FixSafety"/>.
/// </summary>
public static class DirectoryAuditor
{
    private const int MaxEntries = 200_000;
    private static readonly IReadOnlySet<string> NoNames = new HashSet<string>();

    public static DirectoryAudit Audit(string directory)
    {
        var findings = new List<Finding>();
        var links = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var readdirOrder = ListNames(directory, out string? error);
        var names = readdirOrder?.Order(StringComparer.Ordinal).ToList();
        if (names is null || readdirOrder is null)
        {
            findings.Add(Make(DiagnosticCodes.CheckFailed, Severity.Warning,
                directory, $"{directory}: {error}", error ?? "", []));
            return new DirectoryAudit(directory, findings, links);
        }
        if (names.Count > MaxEntries)
            findings.Add(Make(DiagnosticCodes.CheckFailed, Severity.Warning, directory,
                $"{directory}: more than {MaxEntries} library entries; only the first are audited", "", []));

        var model = new DirectoryModel(directory);
        var libraryNames = names.Take(MaxEntries).ToList();
        var libraries = ReadLibraries(directory, model, libraryNames, findings);

        // ldconfig makes no links to links
        var choices = LdconfigRules.Choose(libraries).Where(c => !c.ChosenIsLink).ToList();
        var states = WritingRun(model, choices, readdirOrder);
        foreach (var choice in choices)
        {
            string soname = choice.Soname, target = choice.Chosen.Name;
            links[soname] = target;
            var existing = soname == target ? choice.Chosen : LibraryEntry.Read(directory, soname);
            // "is not a symbolic link" is what the read-only run (-X) prints: every SONAME sees the directory as it is.
            // What the writing run changes comes from its own sequence (a regular file it never replaces).
            var initial = LdconfigRules.LinkState(model, soname, target);
            var shown = initial == SonameLinkState.NotALink || states[soname] == SonameLinkState.NotALink
                ? initial
                : states[soname];
            switch (shown)
            {
                case SonameLinkState.NotALink:
                    findings.Add(NotALink(directory, model, libraryNames, choice, existing!));
                    break;
                case SonameLinkState.Missing:
                    findings.Add(Make(DiagnosticCodes.SonameLinkWrong, Severity.Warning, soname,
                        existing is { IsLink: true, Error: { } dangling }
                            ? $"{soname} -> {existing.LinkTarget} leads nowhere ({dangling}): "
                                + $"nothing provides the name the loader looks for ({target} has SONAME {soname})"
                            : $"{soname} is missing: "
                                + $"nothing provides the name the loader looks for ({target} has SONAME {soname})",
                        $"{soname} -> {target} (ldconfig would create it)",
                        [Checked(model, libraryNames, NoNames, LinkFix(soname, target, "create the SONAME link"),
                            FixOp.Link(target, soname))]));
                    break;
                case SonameLinkState.Stale:
                    string why = existing!.IsLibrary && existing.Elf!.Soname is { } s && s != soname
                        ? $"leads to {existing.LinkTarget}, whose SONAME is {s}"
                        : $"leads to {existing.LinkTarget}, not to the newest {target}";
                    if (initial == SonameLinkState.Correct)
                    {
                        why = $"leads to {existing.LinkTarget}, which is {target} only until ldconfig re-points " +
                            $"{target} itself";
                    }
                    findings.Add(Make(DiagnosticCodes.SonameLinkWrong, Severity.Warning, soname, $"{soname} {why}",
                        $"{soname} -> {target} (changed)",
                        [Checked(model, libraryNames, new HashSet<string>([soname], StringComparer.Ordinal),
                            LinkFix(soname, target, "point the SONAME link at the newest version"),
                            FixOp.Link(target, soname))]));
                    break;
            }
        }
        return new DirectoryAudit(directory, findings, links);
    }

    /// <summary>The libraries among the names; a link that leads nowhere is NLG0010 with its removal.</summary>
    private static List<LibraryEntry> ReadLibraries(
        string directory, DirectoryModel model, List<string> libraryNames, List<Finding> findings)
    {
        var libraries = new List<LibraryEntry>();
        foreach (string name in libraryNames)
        {
            if (LibraryEntry.Read(directory, name) is not { } e) continue;
            if (e.Error is { } err && e.IsLink)
            {
                var fix = Checked(model, libraryNames, NoNames,
                    new Suggestion(SuggestionQuality.Proper, $"remove the broken link {name}", [],
                    "a link that leads nowhere only hides which library is meant; "
                    + "ldconfig itself removes such links when their name has '.so.'"), FixOp.Remove(name));
                findings.Add(Make(DiagnosticCodes.BrokenSymlink, Severity.Warning, name,
                    $"{name} -> {e.LinkTarget} cannot be used: {err}",
                    $"Cannot stat {e.Path}: {err}", [fix]));
                continue;
            }
            if (e.IsLibrary) libraries.Add(e);
        }
        return libraries;
    }

    /// <summary>
    /// ldconfig's writing run (what NLG0011 says it would change), SONAME after SONAME: a step sees the links the
    /// earlier ones created or re-pointed.
    /// </summary>
    private static Dictionary<string, SonameLinkState> WritingRun(
        DirectoryModel model, List<SonameChoice> choices, IReadOnlyList<string> readdirOrder)
    {
        var run = model.Clone();
        var states = new Dictionary<string, SonameLinkState>(StringComparer.Ordinal);
        foreach (var choice in LdconfigRules.CreateLinksOrder(choices, readdirOrder))
        {
            var state = states[choice.Soname] = LdconfigRules.LinkState(run, choice.Soname, choice.Chosen.Name);
            if (state is SonameLinkState.Missing or SonameLinkState.Stale)
                run.Apply(FixOp.Link(choice.Chosen.Name, choice.Soname));
        }
        return states;
    }

    /// <summary>
    /// ldconfig's "is not a symbolic link": the SONAME name is a regular file of its own (the cuDNN tarball copied
    /// with plain cp). Commands only when it holds the same bytes as the chosen file; other byte-identical copies of
    /// that SONAME (the libX.so development name) become links too.
    /// </summary>
    private static Finding NotALink(string directory, DirectoryModel model,
        List<string> names, SonameChoice choice, LibraryEntry copy)
    {
        string soname = choice.Soname, target = choice.Chosen.Name;
        var chosenId = choice.Chosen.Identity!.Value;
        foreach (var e in choice.Members.Append(copy)) model.Know(e.Identity!.Value, e.Path);
        bool identical = model.SameBytes(copy.Identity!.Value, chosenId);
        var copies = choice.Members.Where(e => !e.IsLink && e.Name != target && e.Name != soname
            && e.Identity != chosenId && e.Identity != copy.Identity
            && e.Size == choice.Chosen.Size && model.SameBytes(e.Identity!.Value, chosenId))
                .OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        string ld = $"{Path.Combine(directory, soname)} is not a symbolic link";
        if (!identical)
            return Make(DiagnosticCodes.SonameNotALink, Severity.Warning, soname,
                $"{soname} is not a symbolic link: a regular file that differs from {target}, "
                + $"the newest file with SONAME {soname}; no command is suggested because replacing it would lose "
                + $"the only copy of its bytes (keep the version you mean, then link {soname} to it)",
                ld, []);
        long wasted = copy.Size + copies.Sum(e => e.Size);
        var ops = new List<FixOp> { FixOp.Link(target, soname) };
        ops.AddRange(copies.Select(c => FixOp.Link(soname, c.Name)));
        string chain = copies.Count > 0 ? $"{copies[0].Name} -> {soname} -> {target}" : $"{soname} -> {target}";
        var fix = Checked(model, names, NoNames,
            new Suggestion(SuggestionQuality.Proper, $"replace the copies with the link chain {chain}", [],
            "ldconfig and the loader expect SONAME → real file; copies waste space and go stale on the next upgrade. "
            + "When copying libraries, use cp -a (or cp -P) to keep the links."), [.. ops]);
        return Make(DiagnosticCodes.SonameNotALink, Severity.Warning, soname,
            $"{soname} is not a symbolic link: a byte-identical copy of {target}; "
            + $"{copies.Count + 1} cop{(copies.Count == 0 ? "y wastes" : "ies waste")} {wasted:N0} bytes",
            ld, [fix]);
    }

    /// <summary>The suggestion with its commands when <see cref="FixSafety"/>
    /// accepts them; without, and saying why, when not.</summary>
    private static Suggestion Checked(DirectoryModel model, IEnumerable<string> names, IReadOnlySet<string> repointed,
        Suggestion s, params FixOp[] ops)
    {
        string? unsafeWhy = FixSafety.Check(model, ops, names, repointed);
        return unsafeWhy is null
            ? s with { Commands = [.. ops.Select(o => o.Render())] }
            : s with { Summary = $"{s.Summary} (no command: {unsafeWhy})", Commands = [] };
    }

    private static Suggestion LinkFix(string link, string target, string summary) =>
        new(SuggestionQuality.Proper, $"{summary}: {link} -> {target}", [],
            "what ldconfig -n would do, without running it on a directory it may not own.");

    private static Finding Make(string code, Severity severity, string library, string message, string ld,
        IReadOnlyList<Suggestion> suggestions) => new()
        {
            Code = code, Severity = severity, Message = message, Library = library, Suggestions = suggestions,
            LdMessage = ld,
        };

    /// <summary>
    /// The names ldconfig considers, in readdir order; null (with the reason) when the directory cannot be read.
    /// </summary>
    private static List<string>? ListNames(string directory, out string? error)
    {
        error = null;
        try
        {
            var names = NativeMethods.ReadDirectory(directory, MaxEntries)
                ?? System.IO.Directory.EnumerateFileSystemEntries(directory).Take(MaxEntries + 1)
                    .Select(Path.GetFileName).OfType<string>().ToList();
            return names.Where(LibraryEntry.IsLibraryName).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return null;
        }
    }
}
