using NativeLinkGuard.Commands;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Commands;

/// <summary>A declarative NativeLink item → the command a conda-activated or CI environment would run.</summary>
public sealed class DeclaredLinkTests
{
    private static Dictionary<string, string?> Env(params (string Name, string Value)[] vars) =>
        vars.ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal);

    [Test]
    public void The_parts_become_driver_shared_output_ldflags_directories_libraries_in_that_order()
    {
        var link = new DeclaredLink("libx.so")
        {
            Libraries = ["ggml-cuda", ":libfoo.so.1"],
            LibraryDirectories = ["build", "/opt/lib"],
            Type = "Shared",
            Compiler = "c++",
        };
        var env = Env(("CXX", "ccache 'g++-12'"), ("CC", "gcc"), ("LDFLAGS", "-Wl,-O1 -Wl,-rpath-link,'/a b'"));
        Assert.That(link.CommandFromParts("/p", env), Is.EqualTo(new[]
        {
            "ccache", "g++-12", "-shared", "-o", "libx.so", "-Wl,-O1", "-Wl,-rpath-link,/a b",
            "-L/p/build", "-L/opt/lib", "-lggml-cuda", "-l:libfoo.so.1",
        }));
    }

    [TestCase("", "", "cc")]
    [TestCase("c", "  ", "cc")]
    [TestCase("cxx", "", "c++")]
    [TestCase("CXX", "'unterminated", "c++")]
    public void Without_a_usable_CC_or_CXX_the_default_driver_links(string compiler, string value, string driver)
    {
        var link = new DeclaredLink("app") { Libraries = ["m"], Compiler = compiler };
        var argv = link.CommandFromParts("/p", Env(("CC", value), ("CXX", value)));
        Assert.That(argv, Is.EqualTo(new[] { driver, "-o", "app", "-lm" }));
    }

    [Test]
    public void A_command_is_split_and_runs_in_its_working_directory_and_hints_are_absolute()
    {
        var link = new DeclaredLink("app")
        {
            Command = "gcc -o app 'main file.o' -lm",
            WorkingDirectory = "native",
            HintDirectories = ["mine"],
        };
        var request = link.ToRequest("/p", Env(), ["/hint", "rel"], out var problem);
        Assert.That(problem, Is.Null);
        Assert.That(request!.Command, Is.EqualTo(new[] { "gcc", "-o", "app", "main file.o", "-lm" }));
        Assert.That((request.WorkingDirectory, request.ObjectsUnknown), Is.EqualTo(("/p/native", false)));
        Assert.That(request.HintDirectories, Is.EqualTo(new[] { "/hint", "/p/rel", "/p/mine" }));
    }

    [Test]
    public void A_declarative_request_does_not_know_the_objects()
    {
        var request = new DeclaredLink("app") { Libraries = ["m"] }.ToRequest("/p", Env(), [], out _);
        Assert.That((request!.WorkingDirectory, request.ObjectsUnknown), Is.EqualTo(("/p", true)));
    }

    [TestCase("gcc 'unterminated", "Command cannot be split")]
    [TestCase("   ", "Command cannot be split: empty")]
    [TestCase("", "give either Command or Libraries")]
    public void An_unusable_item_says_why(string command, string problem)
    {
        var request = new DeclaredLink("app") { Command = command }.ToRequest("/p", Env(), [], out var why);
        Assert.That(request, Is.Null);
        Assert.That(why, Does.StartWith(problem));
    }

    [Test]
    [Category("RequiresCc")]
    public void The_command_links_with_the_real_driver_once_the_objects_are_added()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new LinkFixture();
        fx.SharedLib("lib/libdep.so", "int dep(void){return 1;}\n", soname: "libdep.so");
        fx.Object("main.o", "int dep(void);\nint main(void){return dep();}\n");
        var link = new DeclaredLink("app") { Libraries = ["dep"], LibraryDirectories = ["lib"] };
        var argv = link.CommandFromParts(fx.Root, Env(("CC", "gcc"), ("LDFLAGS", "-Wl,--as-needed")))
            .ToList();
        // A build puts the objects before the libraries (this driver links --as-needed): after the output.
        argv.Insert(argv.IndexOf("-o") + 2, "main.o");
        var real = fx.RealLink(argv);
        Assert.That(real.Succeeded, Is.True, real.StandardError);
        Assert.That(File.Exists(fx.P("app")), Is.True);
    }
}
