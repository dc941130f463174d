namespace NativeLinkGuard.Symbols;

public enum SymbolBinding : byte { Local = 0, Global = 1, Weak = 2, Unique = 10 }

public enum SymbolVisibility : byte { Default = 0, Internal = 1, Hidden = 2, Protected = 3 }

/// <summary>
/// One global symbol as the link model sees it. <see cref="Version"/> is the version a definition carries (from
/// DT_VERDEF, or <c>f@@V</c>/<c>f@V</c> in an object) or the version a reference needs (DT_VERNEED, <c>f@V</c>); null
/// for an unversioned symbol or the base version. <see cref="VersionHidden"/>: a non-default definition (<c>f@V</c>),
/// which satisfies only references that name its version.
/// </summary>
public readonly record struct ElfSymbol(string Name, SymbolBinding Binding, SymbolVisibility Visibility, bool Defined,
    string? Version, bool VersionHidden)
{
    public bool IsWeak => Binding == SymbolBinding.Weak;

    /// <summary>For a versioned reference of a shared library: the library
    /// DT_VERNEED expects the version from (<c>libc.so.6</c>).</summary>
    public string? VersionFile { get; init; }

    /// <summary>How ld names the reference: <c>f</c> or <c>f@V</c>.</summary>
    public string Key => Version is null ? Name : Name + "@" + Version;

    /// <summary>A definition satisfies a reference to <paramref name="version"/> (null: the default version).</summary>
    public bool Satisfies(string? version) => Defined && (version is null ? !VersionHidden : Version == version);
}
