using System.IO.Compression;
using System.Xml.Linq;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Package;

/// <summary>
/// <c>dotnet pack</c> at the repository root, as a release does: only the packages meant for a feed come out (the
/// core library travels inside them), each with its own description, readme, tags, project URL and license.
/// </summary>
[Category("EndToEnd")]
[NonParallelizable]
public sealed class PackageMetadataTests
{
    [Test]
    public void Packing_the_repository_makes_the_task_package_and_the_tool_each_fit_for_a_feed()
    {
        string feed = Path.Combine(Path.GetTempPath(), "nlg-pack-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
            env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            env["MSBUILDDISABLENODEREUSE"] = "1";
            // Restore first: the end-to-end tests restore the repository into a package cache of their own that they
            // delete afterwards, and a --no-build pack reads the restore's assets file.
            var restore = ProcessRunner.Run("dotnet", ["restore", Repository.Root], env, Repository.Root,
                timeoutMs: 300_000);
            Assert.That(restore.ExitCode, Is.EqualTo(0), restore.StandardOutput + restore.StandardError);
            var pack = ProcessRunner.Run("dotnet",
                ["pack", Repository.Root, "--no-build", "-c", Repository.Configuration, "-o", feed],
                env, Repository.Root, timeoutMs: 300_000);
            Assert.That(pack.ExitCode, Is.EqualTo(0), pack.StandardOutput + pack.StandardError);

            var packages = Directory.GetFiles(feed, "*.nupkg").Select(Read).ToDictionary(p => p.Id);
            Assert.That(packages.Keys, Is.EquivalentTo(new[] { "NativeLinkGuard", "NativeLinkGuard.Cli" }));
            Assert.That(packages.Values.Select(p => p.Description).Distinct().Count(), Is.EqualTo(2),
                "each its own description");
            foreach (var p in packages.Values)
            {
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(p.Description, Is.Not.Empty.And.Not.EqualTo("Package Description"), p.Id);
                    Assert.That(p.Tags, Is.Not.Empty, p.Id);
                    Assert.That(p.ProjectUrl, Does.StartWith("https://"), p.Id);
                    Assert.That(p.License, Is.EqualTo("MIT"), p.Id);
                    Assert.That(p.Readme, Is.Not.Empty, p.Id);
                    Assert.That(p.Files, Does.Contain(p.Readme), $"{p.Id}: the readme it names is in it");
                }
            }
            Assert.That(packages["NativeLinkGuard"].Files, Does.Contain("tasks/net8.0/NativeLinkGuard.Core.dll"));
            Assert.That(packages["NativeLinkGuard.Cli"].Files,
                Does.Contain("tools/net10.0/any/NativeLinkGuard.Core.dll"));
        }
        finally
        {
            if (Directory.Exists(feed)) Directory.Delete(feed, true);
        }
    }

    private sealed record Nuspec(string Id, string Description, string Tags, string ProjectUrl, string License,
        string Readme, IReadOnlyList<string> Files);

    private static Nuspec Read(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var spec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = spec.Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Get(string name) =>
            metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? "";
        return new Nuspec(Get("id"), Get("description"), Get("tags"), Get("projectUrl"), Get("license"), Get("readme"),
            zip.Entries.Select(e => e.FullName).ToList());
    }
}
