using Microsoft.Build.Framework;
using NativeLinkGuard.Commands;

namespace NativeLinkGuard.Tasks;

/// <summary>Maps one <c>NativeLink</c> item's metadata to the core's <see cref="DeclaredLink"/>.</summary>
internal static class NativeLinkRequest
{
    public static DeclaredLink From(ITaskItem item) => new(item.ItemSpec)
    {
        Command = item.GetMetadata("Command"),
        WorkingDirectory = item.GetMetadata("WorkingDirectory"),
        Libraries = Split(item.GetMetadata("Libraries")),
        LibraryDirectories = Split(item.GetMetadata("LibraryDirectories")),
        Type = item.GetMetadata("Type"),
        Compiler = item.GetMetadata("Compiler"),
        HintDirectories = Split(item.GetMetadata("HintDirectories")),
    };

    private static string[] Split(string list) =>
        list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
