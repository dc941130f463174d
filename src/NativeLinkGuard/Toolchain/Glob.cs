namespace NativeLinkGuard.Toolchain;

/// <summary>
/// glob(3) as ld calls it (flags 0): <c>*</c>, <c>?</c>, <c>[…]</c> and backslash escapes in any path component;
/// a leading '.' only matched explicitly; no match gives nothing; results sorted (C locale order).
/// </summary>
internal static class Glob
{
    /// <summary>Bound on matches, so a pattern over a huge tree cannot run away.</summary>
    internal const int MaxMatches = 10_000;

    public static IReadOnlyList<string> Expand(string pattern)
    {
        try
        {
            return ExpandCore(pattern);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }

    private static List<string> ExpandCore(string pattern)
    {
        bool absolute = pattern.StartsWith('/');
        string[] components = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { absolute ? "/" : "" };
        for (int i = 0; i < components.Length; i++)
        {
            bool last = i == components.Length - 1;
            var next = new List<string>();
            foreach (string dir in current)
            {
                AddMatches(dir, components[i], last, next);
                if (next.Count > MaxMatches)
                {
                    break;
                }
            }

            current = next;
        }

        if (components.Length == 0)
        {
            return absolute ? ["/"] : [];
        }

        current.Sort(StringComparer.Ordinal);
        return current;
    }

    private static void AddMatches(string dir, string component, bool last, List<string> into)
    {
        if (!HasMagic(component))
        {
            string path = dir + Unescape(component);
            if (last ? Path.Exists(path) : Directory.Exists(path))
            {
                into.Add(last ? path : path + "/");
            }

            return;
        }

        string listDir = dir.Length == 0 ? "." : dir;
        if (!Directory.Exists(listDir))
        {
            return;
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(listDir))
        {
            string name = Path.GetFileName(entry);
            if (!Matches(component, name) || (!last && !Directory.Exists(entry)))
            {
                continue;
            }

            into.Add(last ? dir + name : dir + name + "/");
            if (into.Count > MaxMatches)
            {
                return;
            }
        }
    }

    private static bool HasMagic(string component)
    {
        for (int i = 0; i < component.Length; i++)
        {
            char c = component[i];
            if (c == '\\')
            {
                i++;
            }
            else if (c is '*' or '?' or '[')
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(string component) =>
        component.Contains('\\') ? System.Text.RegularExpressions.Regex.Replace(component, @"\\(.)", "$1") : component;

    /// <summary>fnmatch with FNM_PERIOD for one component; '*' backtracks iteratively (no recursion).</summary>
    internal static bool Matches(string pattern, string name)
    {
        if (name.StartsWith('.') && !pattern.StartsWith('.'))
        {
            return false;
        }

        int p = 0, n = 0, starP = -1, starN = -1;
        while (n < name.Length)
        {
            if (p < pattern.Length)
            {
                char c = pattern[p];
                if (c == '*')
                {
                    starP = ++p;
                    starN = n;
                    continue;
                }

                if (c == '?')
                {
                    p++;
                    n++;
                    continue;
                }

                if (c == '[' && TryMatchClass(pattern, p, name[n], out int after, out bool matched))
                {
                    if (matched)
                    {
                        p = after;
                        n++;
                        continue;
                    }
                }
                else
                {
                    if (c == '\\' && p + 1 < pattern.Length)
                    {
                        c = pattern[++p];
                    }

                    if (c == name[n])
                    {
                        p++;
                        n++;
                        continue;
                    }
                }
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP;
            n = ++starN;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Reads a bracket expression at <paramref name="start"/>; false when it is unterminated (then '['
    /// is an ordinary character, as in glibc).</summary>
    private static bool TryMatchClass(string pattern, int start, char ch, out int after, out bool matched)
    {
        int i = start + 1;
        bool negate = i < pattern.Length && pattern[i] is '!' or '^';
        if (negate)
        {
            i++;
        }

        matched = false;
        bool first = true;
        while (i < pattern.Length && (first || pattern[i] != ']'))
        {
            first = false;
            char lo = pattern[i];
            if (lo == '\\' && i + 1 < pattern.Length)
            {
                lo = pattern[++i];
            }

            char hi = lo;
            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                hi = pattern[i + 2];
                i += 2;
            }

            matched |= ch >= lo && ch <= hi;
            i++;
        }

        after = i + 1;
        if (i >= pattern.Length)
        {
            return false;
        }

        matched ^= negate;
        return true;
    }
}
