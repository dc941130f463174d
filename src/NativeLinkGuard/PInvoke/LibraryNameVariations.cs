namespace NativeLinkGuard.PInvoke;

/// <summary>
/// The file names the Linux runtime tries for a library name, in order (coreclr's DetermineLibNameVariations; the
/// table in docs/pinvoke-rules.md §2, each row observed with strace).
/// </summary>
public static class LibraryNameVariations
{
    private const string Prefix = "lib";
    private const string Suffix = ".so";

    public static bool IsAbsolute(string name) => name.StartsWith('/');

    public static IReadOnlyList<string> For(string name)
    {
        if (IsAbsolute(name)) return [name];
        // ".so" anywhere counts ("libx.so.1"); a name with a directory part never gets the "lib" prefix.
        bool hasSuffix = name.Contains(Suffix, StringComparison.Ordinal);
        bool prefixable = !name.Contains('/');
        var list = new List<string>(4);
        void Add(string s) { if (!list.Contains(s)) list.Add(s); }
        if (hasSuffix)
        {
            Add(name);
            if (prefixable) Add(Prefix + name);
            Add(name + Suffix);
            if (prefixable) Add(Prefix + name + Suffix);
        }
        else
        {
            Add(name + Suffix);
            if (prefixable) Add(Prefix + name + Suffix);
            Add(name);
            if (prefixable) Add(Prefix + name);
        }
        return list;
    }
}
