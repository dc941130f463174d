using NativeLinkGuard.Commands;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// Where each linker stops opening inputs, and which of their errors it still prints (ld 2.40 and lld 14, found by
/// the topology fuzzer; ld-rules §1.9, §3, §9).
/// </summary>
public sealed partial class LinkResolver
{
    private bool _missingAtGroupEnd;

    /// <summary>
    /// GNU ld opens no further input after a fatal one (wrong format by path, a script syntax error, a dynamic object
    /// in a static link), nor after the end of a group (a script's GROUP, --end-group) once any input was missing:
    /// open_input_bfds ends each group with "exit if any file was missing" (checked with ld 2.40). lld goes on.
    /// </summary>
    private bool Stopped => !Lld && (_missingAtGroupEnd || _problems.Any(p => p is InputUnusable { Fatal: true }));

    /// <summary>lld's errors while it collects the inputs (LinkerDriver::createFiles); a file for another target is
    /// only found wrong later, when the files are parsed.</summary>
    private int LldErrors => _problems.Count(p => p is InputNotFound or InputUnusable { WrongTarget: false });

    private void OpenInputs(LinkRequest req)
    {
        int group = 0;
        foreach (var input in req.Inputs)
        {
            if (input.Group != group && group != 0) EndGroup(group);
            group = input.Group;
            if (Stopped) break;
            ResolveInput(input, null, 0);
            if (Stopped) break;
        }
        if (group != 0) Symbols.EndGroup(group);
        // GNU ld rejects the dynamic objects of a -static link once every input is open: a missing or fatal input
        // ends the link first, and those lines are never printed (checked with ld 2.40).
        if (!Lld && (Stopped || _problems.Any(p => p is InputNotFound)))
            _problems.RemoveAll(p => p is InputUnusable { Fatal: false });
        // lld returns after collecting the inputs when one failed, before it parses them and finds the wrong target.
        if (Lld && LldErrors > 0) _problems.RemoveAll(p => p is InputUnusable { WrongTarget: true });
    }

    private void EndGroup(int group)
    {
        Symbols.EndGroup(group);
        if (!Lld && _problems.Any(p => p is InputNotFound)) _missingAtGroupEnd = true;
    }

    /// <summary>
    /// ld checks "attempted static link of dynamic object" before compatibility (ldfile_try_open_bfd): under -Bstatic
    /// a shared object of any machine is that fatal error, never skipped as incompatible (found by random case 2004:2).
    /// </summary>
    private static bool StaticDynamic(LinkInput input, LibraryFile f) =>
        input.Static && f.Elf is { IsSharedObject: true };
}
