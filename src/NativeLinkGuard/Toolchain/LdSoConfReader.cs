namespace NativeLinkGuard.Toolchain;

/// <summary>
/// ld's own reading of ld.so.conf for the DT_NEEDED search (binutils 2.40 ldelf.c <c>ldelf_parse_ld_so_conf</c>,
/// <c>ldelf_parse_ld_so_conf_include</c>, <c>ldelf_add_sysroot</c>). This is not ldconfig's parser: ld takes only
/// the first word of a line, knows no <c>hwcap</c> directive, and joins entries with ':' before adding the sysroot.
/// </summary>
public static class LdSoConfReader
{
    /// <summary>ld recurses without a limit (an include cycle overflows its stack); we stop here instead.</summary>
    internal const int MaxIncludeDepth = 32;

    internal const long MaxFileBytes = 1024 * 1024;

    public static LdSoConfResult Read(string confPath, string sysroot)
    {
        ArgumentNullException.ThrowIfNull(confPath);
        var state = new ReadState();
        ParseFile(confPath, state, depth: 0);

        // ld concatenates the entries with ':' and ldelf_add_sysroot prefixes each absolute element, so an entry
        // holding ':' becomes several directories.
        var directories = new List<string>();
        foreach (string entry in state.Entries)
        {
            foreach (string element in entry.Split(':'))
            {
                directories.Add(sysroot.Length > 0 && element.StartsWith('/') ? sysroot + element : element);
            }
        }

        return new LdSoConfResult(directories, state.Diagnostics, state.FilesRead);
    }

    private static void ParseFile(string path, ReadState state, int depth)
    {
        if (state.Active.Contains(path))
        {
            state.Diagnostics.Add($"{path}: include cycle; not read again");
            return;
        }

        if (depth > MaxIncludeDepth)
        {
            state.Diagnostics.Add($"{path}: includes nested more than {MaxIncludeDepth} deep; not read");
            return;
        }

        string? text = TryReadText(path, state);
        if (text is null)
        {
            return;
        }

        state.FilesRead.Add(path);
        state.Active.Add(path);
        foreach (string rawLine in text.Split('\n'))
        {
            ParseLine(rawLine, path, state, depth);
        }

        state.Active.Remove(path);
    }

    private static void ParseLine(string rawLine, string path, ReadState state, int depth)
    {
        // fgets + strchr: a NUL ends the line; '#' ends it too, since the format knows no quoting.
        string line = rawLine;
        int cut = line.IndexOfAny(['\0', '#']);
        if (cut >= 0)
        {
            line = line[..cut];
        }

        int p = 0;
        while (p < line.Length && line[p] is ' ' or '\f' or '\r' or '\t' or '\v')
        {
            p++;
        }

        if (p == line.Length)
        {
            return;
        }

        if (string.CompareOrdinal(line, p, "include", 0, 7) == 0 && p + 7 < line.Length && line[p + 7] is ' ' or '\t')
        {
            // Only space and tab separate include patterns (a '\r' stays part of the pattern, as in ld).
            foreach (string pattern in line[(p + 8)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                Include(path, pattern, state, depth);
            }

            return;
        }

        // Only the first word counts; '=' ends it (the old "dir=hwcap" syntax), then trailing '/' go.
        int end = p;
        while (end < line.Length && line[end] is not ('=' or ' ' or '\t' or '\f' or '\r' or '\v'))
        {
            end++;
        }

        while (end > p && line[end - 1] == '/')
        {
            end--;
        }

        state.Entries.Add(line[p..end]);
    }

    /// <summary>Relative patterns are joined to the including file's directory; absolute ones are used as written,
    /// without the sysroot (so a sysroot's <c>include /etc/ld.so.conf.d/*.conf</c> reads the host's files).</summary>
    private static void Include(string includingFile, string pattern, ReadState state, int depth)
    {
        if (!pattern.StartsWith('/'))
        {
            int slash = includingFile.LastIndexOf('/');
            pattern = includingFile[..(slash + 1)] + pattern;
        }

        foreach (string match in Glob.Expand(pattern))
        {
            ParseFile(match, state, depth + 1);
        }
    }

    private static string? TryReadText(string path, ReadState state)
    {
        try
        {
            if (Directory.Exists(path))
            {
                // fopen succeeds on a directory and the first read fails: nothing, silently.
                return string.Empty;
            }

            using var stream = new FileStream(NativeMethods.OpenForRead(path), FileAccess.Read);
            if (stream.Length > MaxFileBytes)
            {
                state.Diagnostics.Add($"{path}: larger than {MaxFileBytes} bytes; not read");
                return null;
            }

            // Bounded even when the size lies: /proc files report 0 bytes and /proc/self/pagemap never ends. The
            // buffer starts at the size the file reports (UTF-8 never decodes to more chars than bytes) and grows
            // only when the file is longer: a 2 MB buffer per included file was most of ld.so.conf's cost.
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
            var buffer = new char[Math.Min(MaxFileBytes + 1, Math.Max(4096, stream.Length + 1))];
            int total = 0, n;
            while ((n = reader.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += n;
                if (total < buffer.Length) continue;
                if (buffer.Length > MaxFileBytes) break;
                Array.Resize(ref buffer, (int)Math.Min(MaxFileBytes + 1, buffer.Length * 2L));
            }
            if (total > MaxFileBytes)
            {
                state.Diagnostics.Add($"{path}: larger than {MaxFileBytes} bytes; not read");
                return null;
            }
            return new string(buffer, 0, total);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            state.Diagnostics.Add($"{path}: cannot read: {e.Message}");
            return null;
        }
    }

    private sealed class ReadState
    {
        public List<string> Entries { get; } = [];

        public List<string> Diagnostics { get; } = [];

        public List<string> FilesRead { get; } = [];

        public HashSet<string> Active { get; } = new(StringComparer.Ordinal);
    }
}
