namespace NativeLinkGuard.Tests.TestSupport;

/// <summary>Paths in the repository the tests run from (found from the test assembly's location).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string CMakeProject => Path.Combine(Root, "tests", "cmake-project");

    /// <summary>The configuration the tests were built in (bin/&lt;Configuration&gt;/net10.0), for packing the same build.</summary>
    public static string Configuration => new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name;

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NativeLinkGuard.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
