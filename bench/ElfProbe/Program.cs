using NativeLinkGuard.Elf;

// Reads each file with ElfReader (or ArchiveReader for archives) and prints what it found, nothing else.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: ElfProbe FILE...");
    return 2;
}

int rc = 0;
foreach (string path in args)
{
    var kind = FileSniffer.Sniff(path, out string? sniffError);
    Console.WriteLine($"{path}: {kind}{(sniffError is null ? "" : $" ({sniffError})")}");
    ElfFile? file;
    ElfReadError? error;
    bool ok = kind is FileKind.Archive or FileKind.ThinArchive
        ? ArchiveReader.TryReadFirstMember(path, out file, out error)
        : ElfReader.TryRead(path, out file, out error);
    if (!ok)
    {
        Console.WriteLine($"  error: {error}");
        rc = 1;
        continue;
    }
    Console.WriteLine($"  {file!.TargetName} {file.Type} osabi={file.OsAbi} dynamic={file.HasDynamicSection}");
    Console.WriteLine($"  SONAME  {file.Soname}");
    foreach (string n in file.Needed) Console.WriteLine($"  NEEDED  {n}");
    Console.WriteLine($"  RPATH   {file.Rpath}");
    Console.WriteLine($"  RUNPATH {file.Runpath}");
    Console.WriteLine($"  FLAGS   0x{file.Flags:x} FLAGS_1 0x{file.Flags1:x}");
}
return rc;
