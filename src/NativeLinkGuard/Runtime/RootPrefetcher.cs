using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>
/// Reads the roots of a large run into the shared file cache on a second thread, ahead of the walker. Reading a
/// library (statx, open, the ELF header and dynamic section, close) is a quarter of a single-threaded run's time and
/// waits on the kernel; the walk needs each file only when it reaches it, mostly through the SONAME link beside it,
/// which is looked up here too, with the listing of its directory. The cache gives each path the same answer
/// whichever thread reads it first (a file read without error stands for its other names; an error is kept per
/// path) and keeps only files read whole (a root missing now is looked for again when it is walked); a listing read
/// ahead is used only if its directory is unchanged when the walk gets there. So reports do not change.
/// </summary>
internal sealed class RootPrefetcher : IDisposable
{
    private readonly LibraryFileCache _files;
    private readonly DirectoryIndex _directories;
    private readonly IReadOnlyList<string> _roots;
    private readonly string _workingDirectory;
    private volatile bool _stopped;
    // The directories listed so far (this thread only): a package's roots share one, listed once.
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);

    private RootPrefetcher(LibraryFileCache files, DirectoryIndex directories, IReadOnlyList<string> roots,
        string workingDirectory)
    {
        _files = files;
        _directories = directories;
        _roots = roots;
        _workingDirectory = workingDirectory;
    }

    /// <summary>Starts reading ROOTS in the background; disposing stops it after the file in hand.</summary>
    public static RootPrefetcher Start(LibraryFileCache files, DirectoryIndex directories, IReadOnlyList<string> roots,
        string workingDirectory)
    {
        var p = new RootPrefetcher(files, directories, roots, workingDirectory);
        new Thread(p.Run) { IsBackground = true, Name = "nativelinkguard root prefetch" }.Start();
        return p;
    }

    private void Run()
    {
        try
        {
            foreach (var root in _roots)
            {
                if (_stopped) return;
                string path = root.StartsWith('/') ? root : Path.Combine(_workingDirectory, root);
                // A library is mostly needed by its SONAME, through a link beside it: that name's statx too, and the
                // listing of its directory, where its $ORIGIN run path sends the searches.
                var file = _files.Prefetch(path);
                if (file is null || Path.GetDirectoryName(path) is not { } dir) continue;
                if (file.Elf?.Soname is { } soname && soname.IndexOf('/') < 0 && soname != Path.GetFileName(path))
                    _files.Prefetch(Path.Combine(dir, soname));
                if (!dir.Contains("/.", StringComparison.Ordinal) && _listed.Add(dir)) _directories.ListAhead(dir);
            }
        }
        catch (Exception)
        {
            // Prefetch turns I/O errors into LibraryFile values; anything else is a bug, and the walker, which reads
            // every root itself too, meets it on its own thread, where it is reported (NLG9001) instead of ending
            // the process from this one.
        }
    }

    public void Dispose() => _stopped = true;
}
