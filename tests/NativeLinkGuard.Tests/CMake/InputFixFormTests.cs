using NativeLinkGuard.Commands;
using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;
using NativeLinkGuard.Toolchain;

namespace NativeLinkGuard.Tests.CMake;

/// <summary>
/// A fix that adds an input (-l:FILE, a path) must reach the link after the objects that use it. CMake puts
/// CMAKE_*_LINKER_FLAGS and make puts LDFLAGS before the objects, where --as-needed (Ubuntu's and conda's default,
/// set here by the project) drops the library: the suggestion's CMake and make forms put inputs where those build
/// systems append libraries. Checked by configuring and building for real, and against the old form, which fails.
/// </summary>
[Category("RequiresCc")]
[Category("RequiresCMake")]
public sealed class InputFixFormTests
{
    [Test]
    public void The_cmake_and_make_forms_of_an_added_library_link_under_as_needed()
    {
        Tool.RequireOnPath("gcc", "cmake", "make");
        using var fx = new LinkFixture();
        // main uses foo_fn of libnlgdep, which only libbar's DT_NEEDED brings: "DSO missing from command line".
        fx.Write("v.c", "int foo_fn(void){return 1;}\n");
        fx.Write("b.c", "int foo_fn(void);\nint bar_fn(void){return foo_fn();}\n");
        fx.Sh("mkdir -p deps build && gcc -shared -fPIC -o deps/libnlgdep.so.1 -Wl,-soname,libnlgdep.so.1 v.c && "
            + "gcc -shared -fPIC -o build/libbar.so b.c -Wl,--no-as-needed deps/libnlgdep.so.1 '-Wl,-rpath,$ORIGIN/../deps'");
        fx.Write("src/main.c", "int bar_fn(void);\nint foo_fn(void);\nint main(void){return bar_fn()+foo_fn()-2;}\n");
        fx.Write("src/CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(p C)\n"
            + "add_link_options(-Wl,--as-needed)\nadd_executable(app main.c)\n"
            + $"target_link_libraries(app PRIVATE {fx.P("build/libbar.so")})\n");

        // Symbols are known once the objects exist: the failed build's link command, checked as `check` does.
        Configure(fx, "b0", []);
        Assert.That(Build(fx, "b0"), Is.Not.EqualTo(0), "the real build fails");
        var command = CommandLineSplitter.SplitShell(File.ReadAllText(fx.P("b0/CMakeFiles/app.dir/link.txt")));
        var finding = new LinkChecker().Check(new CheckRequest([.. command], fx.P("b0"), fx.Environment)).Findings
            .First(f => f.Severity == Severity.Error);
        Assert.That(finding.Code, Is.EqualTo(DiagnosticCodes.DsoMissingFromCommandLine));
        var fix = finding.Suggestions[0];
        Assert.That(fix.Flags, Has.Some.StartsWith("-l"), "the first fix adds the library as an input");

        // The old form, every flag in CMAKE_EXE_LINKER_FLAGS, puts the library before main.o: still DSO missing.
        Configure(fx, "b1", ["-DCMAKE_EXE_LINKER_FLAGS=" + string.Join(' ', fix.Flags)]);
        Assert.That(Build(fx, "b1"), Is.Not.EqualTo(0), "inputs among the linker flags come too early");
        // The suggestion's own CMake form links, and the check agrees.
        Configure(fx, "b2", [.. CommandLineSplitter.SplitShell(fix.CMake!)]);
        Assert.That(Build(fx, "b2"), Is.EqualTo(0), $"{fix.CMake} makes the real build link");

        // make's built-in rule: $(CC) $(LDFLAGS) main.c $(LDLIBS) -o main, with the project's own settings first.
        string make = "cd src && export LDFLAGS=-Wl,--as-needed LDLIBS=" + fx.P("build/libbar.so")
            + $" && eval 'export {fix.LdFlags}' && make -s main";
        var r = ProcessRunner.Run("bash", ["-c", make], fx.Environment, fx.Root, timeoutMs: 120_000);
        Assert.That(r.ExitCode, Is.EqualTo(0), $"{fix.LdFlags}: {r.StandardOutput}{r.StandardError}");
    }

    private static void Configure(LinkFixture fx, string build, string[] extra)
    {
        var r = ProcessRunner.Run("cmake", ["-S", fx.P("src"), "-B", fx.P(build), .. extra], fx.Environment, fx.Root,
            timeoutMs: 300_000);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StandardOutput + r.StandardError);
    }

    private static int Build(LinkFixture fx, string build) =>
        ProcessRunner.Run("cmake", ["--build", fx.P(build)], fx.Environment, fx.Root, timeoutMs: 300_000).ExitCode;
}
