using NativeLinkGuard.Commands;
using NativeLinkGuard.Elf;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Resolution;

/// <summary>
/// What a link writes into its output's dynamic section, known before the link runs: the one prediction of a built
/// program or library (the CMake front end feeds a predicted library to later links; the run-time check of a link
/// whose linker does not search DT_NEEDED loads the predicted program).
/// </summary>
public static class LinkOutput
{
    /// <summary>
    /// A DT_NEEDED per shared input kept (its SONAME, else the name ld recorded: the file name when found by -l, the
    /// path as given otherwise), -rpath as DT_RUNPATH (DT_RPATH with --disable-new-dtags; without -rpath a native GNU
    /// ld records LD_RUN_PATH), -soname for a shared library.
    /// </summary>
    public static ElfFile Predict(ResolverContext ctx, ResolvedLink resolved)
    {
        var req = ctx.Request;
        var needed = resolved.Libraries.Where(l => l.Input is not null && !l.DroppedByAsNeeded)
            .Select(l => l.Elf.Soname
                ?? (l.Input!.Kind == LinkInputKind.Library ? Path.GetFileName(l.Path) : l.Spelling))
            .Distinct(StringComparer.Ordinal).ToList();
        string? runPath = req.Rpath.Count > 0 ? string.Join(':', req.Rpath)
            : ctx.Linker.Flavor == LinkerFlavor.Bfd && ctx.Linker.IsNative && req.RpathLink.Count == 0
                && ctx.Env("LD_RUN_PATH") is { Length: > 0 } run ? run
            : null;
        bool oldTags = req.NewDtags == false;
        return new ElfFile(ctx.Linker.TargetClass, ctx.Linker.TargetData,
            req.Shared ? ElfType.SharedObject : ElfType.Executable, ctx.Linker.TargetMachine, 0, true,
            req.Shared ? req.Soname : null, needed, oldTags ? runPath : null, oldTags ? null : runPath, 0, 0)
        { PredictedFrom = $"the link of {Path.GetFileName(req.Output ?? "a.out")}" };
    }
}
