using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using NativeLinkGuard.Tasks;
using NativeLinkGuard.Tests.Audit;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.Tasks;

/// <summary>The MSBuild audit task on the machine's own, healthy library directories: where ldconfig is silent, so is the build.</summary>
[Category("RequiresCc")]
public sealed class AuditNativeLibrariesTests
{
    [Test]
    public void System_library_directories_give_no_warning_in_the_build()
    {
        Assert.That(LinkFixture.HasCompiler && LdconfigOracle.Exists, "gcc and /sbin/ldconfig are needed");
        string gccDir = Path.GetDirectoryName(ProcessRunner.Run("gcc", ["-print-libgcc-file-name"]).StandardOutput.Trim())!;
        string[] dirs = ["/usr/lib/x86_64-linux-gnu", gccDir];
        foreach (string dir in dirs) Assert.That(LdconfigOracle.Read(dir).Silent, $"ldconfig is silent on {dir}");
        var engine = new FakeBuildEngine();
        var task = new AuditNativeLibraries { BuildEngine = engine, ProjectDirectory = "/", Directories = [.. dirs.Select(d => (ITaskItem)new TaskItem(d))] };
        Assert.That(task.Execute(), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(engine.Warnings.Select(w => w.Message), Is.Empty);
            Assert.That(engine.Errors, Is.Empty);
            Assert.That(task.Problems, Is.Zero);
        }
    }
}
