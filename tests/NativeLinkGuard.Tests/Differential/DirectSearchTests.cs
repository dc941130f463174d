using NativeLinkGuard.Tests.TestSupport;
namespace NativeLinkGuard.Tests.Differential;

/// <summary>ld-rules §1–2: -l, -l:, -L order, .so before .a, -Bstatic, incompatible files.</summary>
public sealed class DirectSearchTests : DifferentialTestBase
{
    [Test]
    public void Missing_library_is_predicted_and_minus_L_to_the_hint_dir_fixes_it()
    {
        Fx.SharedLib("elsewhere/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-lfoo"), expectSuccess: false, hints: ["elsewhere"]);
    }

    [Test]
    public void Minus_L_after_minus_l_still_counts()
    {
        Fx.SharedLib("build/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-lfoo", "-Lbuild"), expectSuccess: true);
    }

    [Test]
    public void Archive_in_an_earlier_directory_beats_a_shared_library_in_a_later_one()
    {
        Fx.Object("foo.o", Foo);
        Directory.CreateDirectory(Fx.P("a"));
        Fx.Sh("ar rcs a/libfoo.a foo.o");
        Fx.SharedLib("deps/libdep.so.1", Dep, soname: "libdep.so.1");
        // b/libfoo.so would need a missing libdep.so.1; a/libfoo.a wins, so nothing is missing.
        Fx.SharedLib("b/libfoo.so", FooNeedsDep, extra: "-Ldeps -l:libdep.so.1");
        File.Delete(Fx.P("deps/libdep.so.1"));
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-La", "-Lb", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Shared_library_beats_archive_in_the_same_directory()
    {
        Fx.Object("foo.o", Foo);
        FooNeedingDepIn();
        Fx.Sh("ar rcs build/libfoo.a foo.o");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false, hints: ["deps"]);
        Assert.That(report.Findings.Single(f => f.Code == "NLG0002").Library, Is.EqualTo("libdep.so.1"));
    }

    [Test]
    public void Bstatic_only_accepts_archives()
    {
        Fx.SharedLib("build/libfoo.so", Foo);
        Fx.Object("foo.o", Foo);
        Directory.CreateDirectory(Fx.P("static"));
        Fx.Sh("ar rcs static/libfoo.a foo.o");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-Wl,-Bstatic", "-lfoo", "-Wl,-Bdynamic"), expectSuccess: false, hints: ["static"]);
    }

    [Test]
    public void Minus_l_colon_finds_the_exact_file_name()
    {
        Fx.SharedLib("build/libfoo.so.1", Foo, soname: "libfoo.so.1");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-l:libfoo.so.1"), expectSuccess: true);
    }

    [Test]
    public void Minus_l_never_matches_a_versioned_file_and_the_fix_is_a_private_development_symlink()
    {
        Fx.SharedLib("build/libfoo.so.1", Foo, soname: "libfoo.so.1");
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: false, hints: ["build"]);
    }

    [Test]
    public void Copied_development_file_instead_of_a_symlink_is_fine()
    {
        Fx.SharedLib("build/libfoo.so.1", Foo, soname: "libfoo.so.1");
        File.Copy(Fx.P("build/libfoo.so.1"), Fx.P("build/libfoo.so"));
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Lbuild", "-lfoo"), expectSuccess: true);
    }

    [Test]
    public void Missing_file_named_by_path_is_reported()
    {
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "build/libfoo.so"), expectSuccess: false, noFixBecause: "no libfoo.so exists anywhere in the fixture");
    }

    [Test]
    public void Every_missing_library_is_reported_not_just_the_first()
    {
        Fx.Object("main.o", "int main(void){return 0;}\n");
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Wl,--no-as-needed", "-lnlgmissing1", "-lnlgmissing2"), expectSuccess: false,
            noFixBecause: "neither library exists anywhere");
        Assert.That(report.Findings.Count(f => f.Code == "NLG0001"), Is.EqualTo(2));
    }

    private static void RequireCrossCompiler() => Tool.RequireOnPath("aarch64-linux-gnu-gcc");

    [Test]
    public void Incompatible_library_is_skipped_and_the_search_goes_on()
    {
        RequireCrossCompiler();
        Fx.SharedLib("arm/libfoo.so", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.SharedLib("x86/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Larm", "-Lx86", "-lfoo"), expectSuccess: true);
        var skip = report.Findings.Single(f => f.Code == "NLG0003");
        AssertLinkerSaid(skip.LdMessage);
    }

    [Test]
    public void Only_an_incompatible_library_means_cannot_find_and_minus_L_to_the_right_one_fixes_it()
    {
        RequireCrossCompiler();
        Fx.SharedLib("arm/libfoo.so", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.SharedLib("x86/libfoo.so", Foo);
        Fx.Object("main.o", MainUsesFoo);
        AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Larm", "-lfoo"), expectSuccess: false, hints: ["x86"]);
    }

    [Test]
    public void Incompatible_file_named_by_path_is_an_error()
    {
        RequireCrossCompiler();
        Fx.SharedLib("arm/libfoo.so", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.Object("main.o", MainUsesFoo);
        var real = Fx.RealLink(Gcc("-o", "app", "main.o", "arm/libfoo.so"));
        var report = Fx.Check(Gcc("-o", "app", "main.o", "arm/libfoo.so"));
        Assert.That(real.Succeeded, Is.False);
        Assert.That(report.PredictedOutcome, Is.EqualTo(global::NativeLinkGuard.Diagnostics.PredictedOutcome.Fails));
        Assert.That(report.Findings.Single().Code, Is.EqualTo("NLG0014"));
        // "ld will say" is ld's line exactly; the two formats are ours, in the message and a note.
        AssertLinkerSaid(report.Findings.Single().LdMessage);
        Assert.That(report.Findings.Single().Message, Does.Contain("elf64-littleaarch64").Or.Contain("aarch64"));
    }

    [Test]
    public void Archive_whose_first_member_is_for_another_machine_is_skipped()
    {
        RequireCrossCompiler();
        Fx.Object("foo_arm.o", Foo, compiler: "aarch64-linux-gnu-gcc");
        Fx.Object("foo.o", Foo);
        Directory.CreateDirectory(Fx.P("arm"));
        Directory.CreateDirectory(Fx.P("x86"));
        Fx.Sh("aarch64-linux-gnu-ar rcs arm/libfoo.a foo_arm.o && ar rcs x86/libfoo.a foo.o");
        Fx.Object("main.o", MainUsesFoo);
        var report = AssertAgreesWithLd(Gcc("-o", "app", "main.o", "-Larm", "-Lx86", "-Wl,-Bstatic", "-lfoo", "-Wl,-Bdynamic"), expectSuccess: true);
        AssertLinkerSaid(report.Findings.Single().LdMessage);
    }
}
