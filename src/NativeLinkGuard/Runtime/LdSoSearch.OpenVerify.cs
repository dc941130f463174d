using NativeLinkGuard.Elf;
using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>What ld.so makes of one candidate path (glibc's open_verify): the file it maps, one it skips, or an error
/// that ends the load.</summary>
internal sealed partial class LdSoSearch
{
    /// <summary>Opens a candidate as ld.so's open_verify does.</summary>
    // FILE: where the file cache finds CANDIDATE's file, when not at the candidate's own path (see FileOf).
    private (string Path, ElfFile Elf)? Try(string candidate, out string? fatal, out string result,
        string? file = null)
    {
        fatal = null;
        var f = _files.Get(file ?? Abs(candidate));
        switch (f.Kind)
        {
            case LibraryFileKind.Missing or LibraryFileKind.Directory:
                result = f.Kind == LibraryFileKind.Missing && new FileInfo(Abs(candidate)).LinkTarget is { } t
                    ? $"dangling symlink to {t}" : $"no {Path.GetFileName(candidate)}";
                return null;
            case LibraryFileKind.Unreadable:
                result = $"{Path.GetFileName(candidate)} cannot be opened ({f.Error}): skipped";
                return null;
            case LibraryFileKind.Elf when f.Elf is { } elf:
                if (elf.MismatchWith(_env.Class, _env.Machine) is { } mismatch)
                {
                    string what = mismatch == ElfMismatch.Class ? "other ELF class" : "other machine";
                    result = $"{Path.GetFileName(candidate)} is {elf.TargetName}: skipped ({what})";
                    return null;
                }
                if (elf.OsAbi is not (0 or 3))
                {
                    fatal = $"{candidate}: ELF file OS ABI invalid"; result = fatal;
                    return null;
                }
                if (!elf.IsSharedObject
                    && elf.Type != ElfType.Executable)
                {
                    fatal = $"{candidate}: only ET_DYN and ET_EXEC can be loaded";
                    result = fatal; return null;
                }
                result = "found";
                // The file cache's instance of the same text, where it is one (the memos keep the path).
                return (SharedText.Prefer(f.Path, candidate), elf);
            default:
                long length = 0;
                try { length = new FileInfo(Abs(candidate)).Length; } catch (IOException) { }
                fatal = length < (_env.Class == ElfClass.Elf64 ? 64 : 52) ? $"{candidate}: file too short"
                    : $"{candidate}: invalid ELF header";
                if (f.Kind == LibraryFileKind.Malformed) fatal = $"{candidate}: {f.Error}";
                result = fatal;
                return null;
        }
    }

    private static bool IsSymlinkLoop(string path)
    {
        // ELOOP from the kernel itself (the managed link APIs would shorten ".." in PATH first).
        NativeMethods.Stat(path, out int errno);
        if (errno != -1) return errno == 40;
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null) return false;
            info.ResolveLinkTarget(returnFinalTarget: true);
            return false;
        }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
