using NativeLinkGuard.Diagnostics;
using NativeLinkGuard.Runtime;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Runtime;

/// <summary>
/// The runtime check against the real loader: <c>LD_TRACE_LOADED_OBJECTS=1 ld.so FILE</c> (what ldd runs), with a
/// controlled environment, on libraries built with gcc at test time. Every DT_NEEDED must resolve to the same path
/// string ld.so prints, or be "not found" for both.
/// </summary>
[Category("RequiresCc")]
public sealed class RuntimeLoaderTests
{
    private const string Rtld = "/lib64/ld-linux-x86-64.so.2";
    private LinkFixture _fx = null!;

    [SetUp]
    public void Create()
    {
        Tool.RequireOnPath("gcc");
        Tool.Require(File.Exists(Rtld) && LoaderProbe.IsHostAbi(global::NativeLinkGuard.Elf.ElfClass.Elf64, global::NativeLinkGuard.Elf.ElfMachines.X86_64), "needs an x86-64 host loader");
        _fx = new LinkFixture();
    }

    [TearDown]
    public void Clean() => _fx?.Dispose();

    private const string Dep = "int dep_fn(void) { return 1; }";
    private const string UsesDep = "int dep_fn(void); int mid_fn(void) { return dep_fn(); }";
    private const string UsesMid = "int mid_fn(void); int top_fn(void) { return mid_fn(); }";

    private LoaderView RealLoader(string file, string? ldLibraryPath = null, bool exec = false) =>
        LoaderOracle.Trace(file, ldLibraryPath, _fx.Environment, _fx.Root, exec);

    private RuntimeFileReport Check(string file, string? ldLibraryPath = null, params string[] hints) =>
        new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root, LdLibraryPath = ldLibraryPath, HintDirectories = hints }).Check(file);

    private Dictionary<string, string?> Ours(RuntimeFileReport report) => LoaderOracle.Ours(report, cwd: _fx.Root);

    private RuntimeFileReport AssertAgrees(string file, string? ldLibraryPath = null, params string[] hints)
    {
        var real = RealLoader(file, ldLibraryPath);
        var report = Check(file, ldLibraryPath, hints);
        var ours = LoaderOracle.Ours(report, real, _fx.Root);
        Assert.That(ours, Is.EquivalentTo(real.Map), $"ld.so:\n{string.Join('\n', real.Map)}\nours:\n{string.Join('\n', ours)}");
        Assert.That(report.Loadable, Is.EqualTo(real.Map.Values.All(v => v is not null) || report.Findings.All(f => f.Severity != Severity.Error)));
        return report;
    }

    /// <summary>
    /// Random runtime case 700071:2: libmid.so.1 was linked against a SONAME-less library by relative path, so its
    /// DT_NEEDED is "lib/libdep.so"; the top library already loaded that file as "libdep.so". ld.so opens the path,
    /// finds the same device and inode, and reuses the object: one line in the trace, under its first name.
    /// </summary>
    [Test]
    public void A_needed_path_that_leads_to_an_object_already_loaded_is_that_object()
    {
        _fx.SharedLib("lib/libdep.so", Dep);
        _fx.SharedLib("mid/libmid.so.1", UsesDep, "libmid.so.1", "-Wl,--no-as-needed lib/libdep.so");
        _fx.SharedLib("lib/libtop.so", UsesMid, "libtop.so", "-Wl,--no-as-needed -Llib -ldep mid/libmid.so.1 -Wl,--disable-new-dtags,-rpath,'$ORIGIN'");
        var report = AssertAgrees(_fx.P("lib/libtop.so"), _fx.P("lib") + ":mid");
        Assert.That(report.Libraries.Select(l => l.Name), Does.Contain("lib/libdep.so"), "the path is looked up");
        Assert.That(RealLoader(_fx.P("lib/libtop.so"), _fx.P("lib") + ":mid").Map.Keys, Does.Not.Contain("lib/libdep.so"), "and is the object loaded first");
    }

    /// <summary>
    /// Two roots of one package fail on the same missing library through chains of different lengths: their traces
    /// differ as a whole (each lists the DT_RPATH of its own loaders) but share the lines of every search list both
    /// tried, which a run over many roots makes once (LdSoSearch.TracedLists). Each trace is still exactly what a
    /// fresh check of its root alone gives.
    /// </summary>
    [Test]
    public void Traces_of_neighbouring_roots_share_the_lines_of_the_lists_both_tried()
    {
        _fx.SharedLib("gone/libmissing.so.1", Dep, "libmissing.so.1");
        const string Rpath = "-Wl,--disable-new-dtags,-rpath,'$ORIGIN'";
        _fx.SharedLib("pkg/lib/libc3.so.1", UsesDep, "libc3.so.1", $"-Wl,--no-as-needed gone/libmissing.so.1 {Rpath}");
        _fx.SharedLib("pkg/lib/libc2.so.1", "int mid_fn(void); int c2(void) { return mid_fn(); }", "libc2.so.1",
            $"-Wl,--no-as-needed pkg/lib/libc3.so.1 -Wl,-rpath-link,gone {Rpath}");
        _fx.SharedLib("pkg/lib/libc1.so.1", "int c2(void); int c1(void) { return c2(); }", "libc1.so.1",
            $"-Wl,--no-as-needed pkg/lib/libc2.so.1 -Wl,-rpath-link,gone:pkg/lib {Rpath}");
        Directory.Delete(_fx.P("gone"), recursive: true);

        var checker = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root, LdLibraryPath = "" });
        var deep = checker.CheckAll([_fx.P("pkg/lib/libc1.so.1"), _fx.P("pkg/lib/libc2.so.1")]);
        var first = deep[0].Findings.Single(f => f.Code == "NLG0012").Searched;
        var second = deep[1].Findings.Single(f => f.Code == "NLG0012").Searched;
        Assert.That(first.Select(s => s.Rule), Does.Contain("DT_RPATH of libc1.so.1"));
        Assert.That(second.Select(s => s.Rule), Does.Not.Contain("DT_RPATH of libc1.so.1"));

        // Every line of the second trace that the first one has is the same object: made once.
        var firstLines = first.ToHashSet(ReferenceEqualityComparer.Instance);
        var shared = second.Where(s => s.Rule == "DT_RPATH of libc3.so.1" || s.Rule == "DT_RPATH of libc2.so.1").ToList();
        Assert.That(shared, Is.Not.Empty);
        Assert.That(shared.All(firstLines.Contains), Is.True, "the lists both roots tried are traced once");

        // And each trace is what the root alone gives.
        foreach (var (report, root) in deep.Zip(new[] { "pkg/lib/libc1.so.1", "pkg/lib/libc2.so.1" }))
        {
            var alone = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root, LdLibraryPath = "" })
                .Check(_fx.P(root)).Findings.Single(f => f.Code == "NLG0012").Searched;
            Assert.That(report.Findings.Single(f => f.Code == "NLG0012").Searched, Is.EqualTo(alone), root);
        }
    }

    [Test]
    public void Rpath_of_the_root_is_inherited_by_its_dependencies()
    {
        _fx.SharedLib("deps/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("deps/libmid.so.1", UsesDep, "libmid.so.1", "-Wl,--no-as-needed deps/libdep.so.1");
        _fx.SharedLib("app/libtop.so", UsesMid, "libtop.so", $"-Wl,--no-as-needed deps/libmid.so.1 -Wl,--disable-new-dtags,-rpath,{_fx.P("deps")}");
        var report = AssertAgrees(_fx.P("app/libtop.so"));
        Assert.That(report.Loadable, Is.True);
        Assert.That(report.Libraries.Single(l => l.Name == "libdep.so.1").Rule, Is.EqualTo("DT_RPATH of libtop.so"));
    }

    [Test]
    public void Runpath_is_not_inherited_by_dependencies()
    {
        _fx.SharedLib("deps/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("deps/libmid.so.1", UsesDep, "libmid.so.1", "-Wl,--no-as-needed deps/libdep.so.1");
        _fx.SharedLib("app/libtop.so", UsesMid, "libtop.so", $"-Wl,--no-as-needed deps/libmid.so.1 -Wl,--enable-new-dtags,-rpath,{_fx.P("deps")}");
        var report = AssertAgrees(_fx.P("app/libtop.so"));
        var f = report.Findings.Single(x => x.Code == "NLG0012");
        Assert.That(f.Chain, Is.EqualTo(new[] { "libtop.so", "libmid.so.1", "libdep.so.1" }));
        Assert.That(f.Searched.Select(s => s.Rule), Does.Not.Contain("DT_RUNPATH of libtop.so"), "a parent's RUNPATH is not searched for a grandchild");
        Assert.That(report.Loadable, Is.False);
    }

    [Test]
    public void Runpath_of_the_needing_object_disables_every_rpath()
    {
        // libmid has a RUNPATH that does not hold libdep; libtop's RPATH does — but is ignored for libmid's lookups.
        _fx.SharedLib("deps/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("deps/libmid.so.1", UsesDep, "libmid.so.1", "-Wl,--no-as-needed deps/libdep.so.1 -Wl,--enable-new-dtags,-rpath,/nonexistent");
        _fx.SharedLib("app/libtop.so", UsesMid, "libtop.so", $"-Wl,--no-as-needed deps/libmid.so.1 -Wl,--disable-new-dtags,-rpath,{_fx.P("deps")}");
        var report = AssertAgrees(_fx.P("app/libtop.so"));
        Assert.That(report.Loadable, Is.False);
    }

    /// <summary>
    /// ld.so's token ends where a letter, digit or '_' does not follow (glibc's is_dst), unlike ld's whole-component
    /// token: "$ORIGIN.d" and "${ORIGIN}AL" expand, "$ORIGINAL" does not. The real loader decides each case.
    /// </summary>
    [TestCase("$ORIGINAL", false)]
    [TestCase("${ORIGIN}AL", true)]
    [TestCase("$ORIGIN.d", true)]
    [TestCase("$ORIGIN_d", false)]
    [TestCase("${ORIGIN", false)]
    public void A_token_in_a_run_path_ends_at_a_non_word_character_for_ld_so(string element, bool found)
    {
        _fx.SharedLib("pkg/libAL/libdep.so.1", Dep, "libdep.so.1");
        _fx.Sh("mkdir -p pkg/lib.d && cp pkg/libAL/libdep.so.1 pkg/lib.d/");
        _fx.SharedLib("pkg/lib/libtop.so", UsesDep, "libtop.so",
            $"-Wl,--no-as-needed pkg/libAL/libdep.so.1 -Wl,-rpath,'{element}'");
        var report = AssertAgrees(_fx.P("pkg/lib/libtop.so"));
        Assert.That(report.Loadable, Is.EqualTo(found));
    }

    [Test]
    public void Origin_is_the_directory_the_object_was_opened_from()
    {
        _fx.SharedLib("pkg/lib/deps/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("pkg/lib/libtop.so", UsesDep, "libtop.so", "-Wl,--no-as-needed pkg/lib/deps/libdep.so.1 -Wl,-rpath,'$ORIGIN/deps'");
        Assert.That(AssertAgrees(_fx.P("pkg/lib/libtop.so")).Loadable, Is.True);
        // Through a symlink in another directory $ORIGIN is that directory (ld.so does not resolve the link).
        _fx.Sh("mkdir -p elsewhere && ln -s ../pkg/lib/libtop.so elsewhere/libtop.so");
        Assert.That(AssertAgrees(_fx.P("elsewhere/libtop.so")).Loadable, Is.False);
        // ${ORIGIN} and a relative root path.
        _fx.SharedLib("pkg/lib/libtop2.so", UsesDep, "libtop2.so", "-Wl,--no-as-needed pkg/lib/deps/libdep.so.1 -Wl,-rpath,'${ORIGIN}/deps'");
        Assert.That(AssertAgrees("pkg/lib/libtop2.so").Loadable, Is.True);
    }

    [Test]
    public void Dot_dot_is_resolved_by_the_kernel_through_symlinked_and_missing_directories()
    {
        // libmid is opened as app/../alias/lib/libmid.so.1 with alias -> real/pkgA; its $ORIGIN/../../pkgB/lib is then
        // real/pkgB/lib for the kernel, and the lexical pkgB/lib does not exist: searches shared between spellings of
        // one directory must not shorten "alias/lib/../.." on paper.
        _fx.SharedLib("real/pkgB/lib/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("real/pkgA/lib/libmid.so.1", UsesDep, "libmid.so.1", "-Wl,--no-as-needed real/pkgB/lib/libdep.so.1 -Wl,-rpath,'$ORIGIN/../../pkgB/lib'");
        _fx.Sh("ln -s real/pkgA alias");
        _fx.SharedLib("app/libtop.so", UsesMid, "libtop.so", "-Wl,--no-as-needed real/pkgA/lib/libmid.so.1 -Wl,-rpath-link,real/pkgB/lib -Wl,-rpath,'$ORIGIN/../alias/lib'");
        var report = AssertAgrees(_fx.P("app/libtop.so"));
        Assert.That(report.Loadable, Is.True);
        Assert.That(report.Libraries.Single(l => l.Name == "libdep.so.1").Path, Does.Contain("alias/lib/../../pkgB/lib"), "the path as ld.so spells it");
        // A missing directory before ".." fails the whole path (ENOENT), though "nothing/.." cancels out on paper.
        _fx.SharedLib("app/libtop2.so", UsesDep, "libtop2.so", "-Wl,--no-as-needed real/pkgB/lib/libdep.so.1 -Wl,-rpath,'$ORIGIN/nothing/../../real/pkgB/lib'");
        Assert.That(AssertAgrees(_fx.P("app/libtop2.so")).Loadable, Is.False);
        // Both in one run: the first root's searches must not answer the second's.
        var checker = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root });
        Assert.That(new[] { "app/libtop.so", "app/libtop2.so" }.Select(f => checker.Check(_fx.P(f)).Loadable), Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public void One_run_over_many_roots_agrees_with_ld_so_for_each()
    {
        // Searches are shared between roots (per name, run-path profile, directory, RPATH link): every root of one
        // run must still get exactly ld.so's paths, including the spelling each root gives a shared directory.
        // pkg0 uses DT_RPATH (inherited), pkg1 DT_RUNPATH; pkg0's libraries reach pkg1 through $ORIGIN/../../pkg1/lib.
        _fx.SharedLib("pkg1/lib/libq2.so.1.0", Dep, "libq2.so.1");
        _fx.Sh("ln -s libq2.so.1.0 pkg1/lib/libq2.so.1");
        _fx.SharedLib("pkg1/lib/libq1.so.1.0", "int dep_fn(void); int q1(void) { return dep_fn(); }", "libq1.so.1", "-Wl,--no-as-needed pkg1/lib/libq2.so.1 -Wl,--enable-new-dtags,-rpath,'$ORIGIN'");
        _fx.Sh("ln -s libq1.so.1.0 pkg1/lib/libq1.so.1");
        _fx.SharedLib("pkg0/lib/libp2.so.1.0", "int q1(void); int p2(void) { return q1(); }", "libp2.so.1",
            "-Wl,--no-as-needed pkg1/lib/libq1.so.1 -Wl,-rpath-link,pkg1/lib -Wl,--disable-new-dtags,-rpath,'$ORIGIN:$ORIGIN/../../pkg1/lib'");
        _fx.Sh("ln -s libp2.so.1.0 pkg0/lib/libp2.so.1");
        _fx.SharedLib("pkg0/lib/libp1.so.1.0", "int p2(void); int q1(void); int p1(void) { return p2() + q1(); }", "libp1.so.1",
            "-Wl,--no-as-needed pkg0/lib/libp2.so.1 pkg1/lib/libq1.so.1 -Wl,-rpath-link,pkg1/lib -Wl,--disable-new-dtags,-rpath,'$ORIGIN'");
        _fx.Sh("ln -s libp1.so.1.0 pkg0/lib/libp1.so.1");
        _fx.SharedLib("pkg2/lib/libr.so", "int p1(void); int r(void) { return p1(); }", "libr.so",
            "-Wl,--no-as-needed pkg0/lib/libp1.so.1 -Wl,-rpath-link,pkg0/lib:pkg1/lib -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../../pkg0/lib'");
        string[] roots = ["pkg2/lib/libr.so", "pkg0/lib/libp1.so.1.0", "pkg0/lib/libp1.so.1", "pkg0/lib/libp2.so.1.0", "pkg1/lib/libq1.so.1.0", "pkg1/lib/libq1.so.1"];
        var checker = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root });
        foreach (var root in roots)
        {
            var report = checker.Check(_fx.P(root));
            var real = RealLoader(_fx.P(root));
            var ours = Ours(report);
            foreach (var k in ours.Keys.Where(k => !real.Map.ContainsKey(k) && k.StartsWith("ld-linux", StringComparison.Ordinal)).ToList()) ours.Remove(k);
            Assert.That(ours, Is.EquivalentTo(real.Map), $"{root}: ld.so:\n{string.Join('\n', real.Map)}\nours:\n{string.Join('\n', ours)}");
        }
        // The rule names the object whose list had it, as this root opened it, not as an earlier root did.
        var p1 = checker.Check(_fx.P("pkg0/lib/libp1.so.1.0"));
        Assert.That(p1.Libraries.Single(l => l.Name == "libp2.so.1").Rule, Is.EqualTo("DT_RPATH of libp1.so.1.0"));
        var viaR = checker.Check(_fx.P("pkg2/lib/libr.so"));
        Assert.That(viaR.Libraries.Single(l => l.Name == "libp2.so.1").Rule, Is.EqualTo("DT_RPATH of libp1.so.1"));
    }

    [Test]
    public void Many_roots_on_several_threads_report_exactly_what_one_thread_reports()
    {
        // Inherited DT_RPATH, DT_RUNPATH, a missing library two levels down, and roots given in an order that makes
        // each walker meet the shared libraries in another order than one thread would.
        TwoPackagesWithAGap();
        _fx.SharedLib("pkg2/lib/libr.so", "int p1(void); int r(void) { return p1(); }", "libr.so",
            "-Wl,--no-as-needed pkg0/lib/libp1.so.1 -Wl,-rpath-link,pkg0/lib:pkg1/lib -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../../pkg0/lib'");
        string[] distinct = ["pkg2/lib/libr.so", "pkg1/lib/libq2.so.1", "pkg0/lib/libp1.so.1", "pkg1/lib/libq1.so.1", "pkg1/lib/missing.so"];
        var files = Enumerable.Range(0, 300).Select(i => _fx.P(distinct[i * 7 % distinct.Length])).ToList();
        foreach (bool libraries in new[] { true, false })
        {
            RuntimeRequest Request() => new() { WorkingDirectory = _fx.Root, IncludeLibraries = libraries };
            var one = new RuntimeChecker(Request());
            string expected = global::NativeLinkGuard.Reporting.RuntimeReportWriter.Json(files.Select(one.Check).ToList());
            string parallel = global::NativeLinkGuard.Reporting.RuntimeReportWriter.Json(new RuntimeChecker(Request()).CheckAll(files, maxThreads: 4));
            Assert.That(parallel, Is.EqualTo(expected), $"libraries listed: {libraries}");
            Assert.That(expected, Does.Contain("libgone.so.1").And.Contains("NLG0012"), "the failures are in the compared reports");
        }
    }

    [Test]
    public void Many_roots_read_ahead_on_a_second_thread_report_exactly_what_one_thread_reports()
    {
        // From 64 roots on, one walker has the roots read ahead of it (RootPrefetcher); the same roots one at a time
        // (Check) are read by the walk alone. Truncated and non-ELF roots, each under two names, and libraries reached
        // under two names keep their answers whichever thread reads them first.
        TwoPackagesWithAGap();
        _fx.SharedLib("pkg2/lib/libr.so", "int p1(void); int r(void) { return p1(); }", "libr.so",
            "-Wl,--no-as-needed pkg0/lib/libp1.so.1 -Wl,-rpath-link,pkg0/lib:pkg1/lib -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../../pkg0/lib'");
        _fx.Sh("printf 'not a library' > pkg2/lib/libtext.so && head -c 200 pkg2/lib/libr.so > pkg2/lib/libcut.so");
        _fx.Sh("ln -s libcut.so pkg2/lib/libcut-link.so && ln -s libtext.so pkg2/lib/libtext-link.so");
        string[] distinct = ["pkg2/lib/libr.so", "pkg1/lib/libq2.so.1", "pkg0/lib/libp1.so.1", "pkg1/lib/libq1.so.1",
            "pkg1/lib/missing.so", "pkg2/lib/libtext.so", "pkg2/lib/libcut-link.so", "pkg2/lib/libcut.so",
            "pkg2/lib/libtext-link.so"];
        var files = Enumerable.Range(0, 200).Select(i => _fx.P(distinct[i * 5 % distinct.Length])).ToList();
        foreach (bool libraries in new[] { true, false })
        {
            RuntimeRequest Request() => new() { WorkingDirectory = _fx.Root, IncludeLibraries = libraries };
            var one = new RuntimeChecker(Request());
            string expected = global::NativeLinkGuard.Reporting.RuntimeReportWriter.Json(files.Select(one.Check).ToList());
            string prefetched = global::NativeLinkGuard.Reporting.RuntimeReportWriter.Json(new RuntimeChecker(Request()).CheckAll(files));
            Assert.That(prefetched, Is.EqualTo(expected), $"libraries listed: {libraries}");
            Assert.That(expected, Does.Contain("libgone.so.1").And.Contains("libcut-link.so"), "the failures are in the compared reports");
        }
    }

    // pkg3/lib/libtop.so needing libdep.so.1 beside it (DT_RUNPATH $ORIGIN).
    private void TopNeedingDepBesideIt()
    {
        _fx.SharedLib("pkg3/lib/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("pkg3/lib/libtop.so", UsesDep, "libtop.so",
            "-Wl,--no-as-needed pkg3/lib/libdep.so.1 -Wl,--enable-new-dtags,-rpath,'$ORIGIN'");
    }

    // The reports of a failing root, then of ROOT TIMES over (enough roots for the read-ahead), the first one taken.
    private IEnumerator<RuntimeFileReport> FailingRootThen(string root, int times)
    {
        var roots = new List<string> { _fx.P("pkg0/lib/libp1.so.1") };
        roots.AddRange(Enumerable.Repeat(root, times));
        var checker = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root, IncludeLibraries = false });
        var reports = checker.CheckEach(roots).GetEnumerator();
        Assert.That(reports.MoveNext(), Is.True);
        return reports;
    }

    // Every report left is of TOP, which loads now, as ld.so says.
    private void AssertTheRestLoad(IEnumerator<RuntimeFileReport> reports, string top, int count, string why)
    {
        int loadable = 0;
        while (reports.MoveNext()) loadable += reports.Current.Loadable ? 1 : 0;
        Assert.That(loadable, Is.EqualTo(count), why);
        Assert.That(RealLoader(top).Map, Does.ContainKey("libdep.so.1"), "ld.so loads it too");
    }

    [Test]
    public void A_root_made_after_the_run_began_is_seen_though_the_roots_are_read_ahead()
    {
        // The read-ahead keeps only files it read whole: a root missing when it looked is looked for again when its
        // turn comes, as without it.
        TwoPackagesWithAGap();
        string later = _fx.P("pkg3/lib/libtop.so");
        using var reports = FailingRootThen(later, 80);
        Assert.That(reports.Current.Loadable, Is.False, "libp1 needs libgone, which is gone");
        TopNeedingDepBesideIt();
        AssertTheRestLoad(reports, later, 80, "every later root is read when it is walked, after it was made");
    }

    [Test]
    public void A_library_made_in_a_directory_listed_ahead_is_seen_when_the_walk_gets_there()
    {
        // The read-ahead lists each root's directory; the walk takes that listing only if the directory is unchanged
        // since. Here libdep.so.1 appears in pkg3/lib after the listing was read ahead, before the walk needs it.
        TwoPackagesWithAGap();
        TopNeedingDepBesideIt();
        // Older than the read-ahead's two-second "racily clean" window, so it is read ahead.
        _fx.Sh("rm pkg3/lib/libdep.so.1 && touch -d '1 hour ago' pkg3/lib");
        string top = _fx.P("pkg3/lib/libtop.so");
        using var reports = FailingRootThen(top, 80);
        Thread.Sleep(300); // the read-ahead has two roots to read: long done
        _fx.SharedLib("pkg3/lib/libdep.so.1", Dep, "libdep.so.1");
        AssertTheRestLoad(reports, top, 80, "the walk lists pkg3/lib again: it changed after the read-ahead");
    }

    [Test]
    public void Reports_are_made_one_root_at_a_time_as_they_are_asked_for()
    {
        // Streamed, not collected: the second root is walked only when its report is asked for, so a library built
        // after the first report was taken is seen, and its report is the real loader's answer.
        TwoPackagesWithAGap();
        string later = _fx.P("pkg3/lib/libtop.so");
        var checker = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root });
        using var reports = checker.CheckEach([_fx.P("pkg0/lib/libp1.so.1"), later]).GetEnumerator();
        Assert.That(reports.MoveNext(), Is.True);
        Assert.That(reports.Current.Loadable, Is.False, "libp1 needs libgone, which is gone");
        TopNeedingDepBesideIt();
        Assert.That(reports.MoveNext(), Is.True);
        var real = RealLoader(later);
        Assert.That(LoaderOracle.Ours(reports.Current, real, _fx.Root), Is.EquivalentTo(real.Map));
        Assert.That(reports.Current.Loadable, Is.True);
        Assert.That(reports.MoveNext(), Is.False);
    }

    [Test]
    public void A_root_that_kept_no_records_lists_exactly_what_a_fully_recorded_walk_lists()
    {
        // A clean load keeps no records and a failed one only its failures' chains; the ldd-style list is then rebuilt
        // by walking again, interleaved with other roots on the same resolver, and must be the recorded walk's list.
        TwoPackagesWithAGap();
        _fx.SharedLib("pkg0/lib/libp2.so.1", "int q1(void); int p2(void) { return q1(); }", "libp2.so.1",
            "-Wl,--no-as-needed pkg1/lib/libq1.so.1 -Wl,-rpath-link,pkg1/lib -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../../pkg1/lib'");
        string[] roots = [_fx.P("pkg0/lib/libp1.so.1"), _fx.P("pkg1/lib/libq2.so.1"), _fx.P("pkg0/lib/libp2.so.1")];
        // Objects too: a failed root's objects past its last failure are the ones rebuilt.
        static string Listed(global::NativeLinkGuard.Runtime.RuntimeResolution r) =>
            string.Join('\n', r.Lookups.Select(l => $"{l.Name} {l.NeededBy.Path} {l.Found?.Path} {l.Rule}")
                .Concat(r.Objects.Select(o => $"{o.Path} {o.Origin}")));
        RuntimeResolver Resolver()
        {
            var env = LoaderProbe.For(global::NativeLinkGuard.Elf.ElfClass.Elf64, global::NativeLinkGuard.Elf.ElfMachines.X86_64, "", "", _fx.Root);
            return new RuntimeResolver(env, new global::NativeLinkGuard.Resolution.LibraryFileCache(), new DirectoryIndex(), null);
        }
        var recorded = Resolver();
        var expected = roots.Select(r => Listed(recorded.Resolve(r, recordAll: true))).ToList();
        var compact = Resolver();
        var resolutions = roots.Select(r => compact.Resolve(r)).ToList();
        Assert.That(resolutions.Select(r => r.Unresolved.Any()), Is.EqualTo(new[] { true, false, true }), "failed and clean roots");
        Assert.That(resolutions.Select(Listed), Is.EqualTo(expected));
        Assert.That(expected[0], Does.Contain("libq2.so.1").And.Contains("libgone.so.1"));
    }

    /// <summary>pkg1: libq1 (DT_RUNPATH $ORIGIN) needs libq2 and libgone, which is then deleted; pkg0: libp1 reaches
    /// libq1 through DT_RPATH.</summary>
    private void TwoPackagesWithAGap()
    {
        _fx.SharedLib("pkg1/lib/libq2.so.1", Dep, "libq2.so.1");
        _fx.SharedLib("pkg1/lib/libgone.so.1", Dep, "libgone.so.1");
        _fx.SharedLib("pkg1/lib/libq1.so.1", "int dep_fn(void); int q1(void) { return dep_fn(); }", "libq1.so.1",
            "-Wl,--no-as-needed pkg1/lib/libq2.so.1 pkg1/lib/libgone.so.1 -Wl,--enable-new-dtags,-rpath,'$ORIGIN'");
        _fx.SharedLib("pkg0/lib/libp1.so.1", "int q1(void); int p1(void) { return q1(); }", "libp1.so.1",
            "-Wl,--no-as-needed pkg1/lib/libq1.so.1 -Wl,-rpath-link,pkg1/lib -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../../pkg1/lib'");
        _fx.Sh("rm pkg1/lib/libgone.so.1");
    }

    [Test]
    public void Lib_and_platform_expand_as_the_machine_ld_so_expands_them()
    {
        var env = LoaderProbe.For(global::NativeLinkGuard.Elf.ElfClass.Elf64, global::NativeLinkGuard.Elf.ElfMachines.X86_64, "", null, _fx.Root);
        _fx.SharedLib($"root/{env.DstLib}/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib($"plat/{env.Platform}/libdep2.so.1", Dep, "libdep2.so.1");
        _fx.SharedLib("app/libtop.so", UsesDep, "libtop.so",
            $"-Wl,--no-as-needed root/{env.DstLib}/libdep.so.1 plat/{env.Platform}/libdep2.so.1 -Wl,-rpath,'$ORIGIN/../root/$LIB:$ORIGIN/../plat/${{PLATFORM}}'");
        var report = AssertAgrees(_fx.P("app/libtop.so"));
        Assert.That(report.Loadable, Is.True, "both tokens expanded as the real loader does (agreement asserted above)");
    }

    [Test]
    public void A_program_started_through_a_symlink_gets_origin_from_its_real_location()
    {
        _fx.SharedLib("pkg/lib/libdep.so.1", Dep, "libdep.so.1");
        _fx.Write("src/main.c", "int dep_fn(void); int main(void) { return dep_fn(); }");
        _fx.Sh("mkdir -p pkg/bin bin && gcc -o pkg/bin/app src/main.c -Wl,--no-as-needed pkg/lib/libdep.so.1 -Wl,-rpath,'$ORIGIN/../lib' && ln -s ../pkg/bin/app bin/app");
        var real = RealLoader(_fx.P("bin/app"), exec: true);
        var ours = Check(_fx.P("bin/app"));
        Assert.That(real.Map["libdep.so.1"], Is.Not.Null, "exec resolves /proc/self/exe");
        Assert.That(Ours(ours)["libdep.so.1"], Is.EqualTo(real.Map["libdep.so.1"]));
        Assert.That(ours.Loadable, Is.True);
    }

    [Test]
    public void A_statically_linked_program_loads_without_ld_so()
    {
        // The kernel starts it alone (no PT_INTERP), a run path and a missing directory notwithstanding; ld.so handed
        // it explicitly would crash, so the oracle starts it itself (found by the runtime fuzz, seed 6200018).
        _fx.Write("src/main.c", "int main(void) { return 3; }");
        _fx.Sh("mkdir -p bin && gcc -static -o bin/app src/main.c -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../gone'");
        var real = RealLoader(_fx.P("bin/app"));
        var report = AssertAgrees(_fx.P("bin/app"));
        Assert.That((report.Loadable, real.Loadable), Is.EqualTo((true, true)), $"the real start exited {real.ExitCode}");
        Assert.That(report.Findings, Is.Empty);
    }

    [Test]
    public void Ld_library_path_comes_after_rpath_and_before_runpath()
    {
        _fx.SharedLib("a/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("b/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("app/librun.so", UsesDep, "librun.so", $"-Wl,--no-as-needed a/libdep.so.1 -Wl,--enable-new-dtags,-rpath,{_fx.P("a")}");
        _fx.SharedLib("app/librp.so", UsesDep, "librp.so", $"-Wl,--no-as-needed a/libdep.so.1 -Wl,--disable-new-dtags,-rpath,{_fx.P("a")}");
        Assert.That(AssertAgrees(_fx.P("app/librun.so"), _fx.P("b")).Libraries.Single(l => l.Name == "libdep.so.1").Rule, Is.EqualTo("LD_LIBRARY_PATH"));
        Assert.That(AssertAgrees(_fx.P("app/librp.so"), _fx.P("b")).Libraries.Single(l => l.Name == "libdep.so.1").Rule, Is.EqualTo("DT_RPATH of librp.so"));
        // Empty elements mean the working directory; ';' separates too.
        _fx.SharedLib("app/libplain.so", UsesDep, "libplain.so", "-Wl,--no-as-needed a/libdep.so.1");
        AssertAgrees(_fx.P("app/libplain.so"), "/nonexistent;" + _fx.P("b"));
        _fx.Sh("cp a/libdep.so.1 .");
        AssertAgrees(_fx.P("app/libplain.so"), "/nonexistent::");
    }

    [Test]
    public void System_libraries_come_from_ld_so_cache_and_nodefaultlib_disables_it()
    {
        _fx.SharedLib("app/libplain.so", "int f(void) { return 0; }", "libplain.so", "-Wl,--no-as-needed -lm");
        var report = AssertAgrees(_fx.P("app/libplain.so"));
        Assert.That(report.Libraries.Single(l => l.Name == "libm.so.6").Rule, Is.EqualTo("ld.so.cache"));
        _fx.SharedLib("app/libnodef.so", "int f(void) { return 0; }", "libnodef.so", "-Wl,--no-as-needed -lm -Wl,-z,nodefaultlib");
        Assert.That(AssertAgrees(_fx.P("app/libnodef.so")).Loadable, Is.False);
    }

    /// <summary>Two packages reach a third's library through "$ORIGIN/../../pkg0/lib": ld.so prints each spelling,
    /// and the file cache keeps the file once, under its plain path (one entry and statx per spelling before).</summary>
    [Test]
    public void A_file_reached_by_several_spellings_is_reported_as_each_and_cached_once()
    {
        _fx.SharedLib("pkg0/lib/libdep.so.1", Dep, "libdep.so.1");
        foreach (var pkg in new[] { "pkg1", "pkg2" })
            _fx.SharedLib($"{pkg}/lib/libtop.so", UsesDep, "libtop.so",
                "-Wl,--no-as-needed pkg0/lib/libdep.so.1 -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../../pkg0/lib'");
        var files = new global::NativeLinkGuard.Resolution.LibraryFileCache();
        var checker = new RuntimeChecker(new RuntimeRequest { WorkingDirectory = _fx.Root, LdLibraryPath = "" }, files);
        foreach (var pkg in new[] { "pkg1", "pkg2" })
        {
            string root = _fx.P($"{pkg}/lib/libtop.so"), spelled = _fx.P($"{pkg}/lib/../../pkg0/lib/libdep.so.1");
            var real = RealLoader(root, "");
            var report = checker.Check(root);
            Assert.That(LoaderOracle.Ours(report, real, _fx.Root), Is.EquivalentTo(real.Map));
            Assert.That(real.Map.Values, Does.Contain(spelled), "ld.so prints the spelling");
            Assert.That(files.Knows(spelled), Is.False, spelled);
        }
        Assert.That(files.Knows(_fx.P("pkg0/lib/libdep.so.1")), Is.True);
    }

    [Test]
    public void Glibc_hwcaps_subdirectory_wins_over_the_directory_itself()
    {
        _fx.SharedLib("d/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("d/glibc-hwcaps/x86-64-v2/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("app/libtop.so", UsesDep, "libtop.so", $"-Wl,--no-as-needed d/libdep.so.1 -Wl,-rpath,{_fx.P("d")}");
        var report = AssertAgrees(_fx.P("app/libtop.so"));
        Assert.That(report.Libraries.Single(l => l.Name == "libdep.so.1").Path, Does.Contain("glibc-hwcaps/x86-64-v2"));
    }

    [Test]
    public void Another_machine_is_skipped_and_a_non_elf_file_is_fatal()
    {
        Tool.RequireOnPath("aarch64-linux-gnu-gcc");
        _fx.SharedLib("arm/libdep.so.1", Dep, "libdep.so.1", compiler: "aarch64-linux-gnu-gcc");
        _fx.SharedLib("x86/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("app/libtop.so", UsesDep, "libtop.so", $"-Wl,--no-as-needed x86/libdep.so.1 -Wl,-rpath,{_fx.P("arm")}:{_fx.P("x86")}");
        var report = AssertAgrees(_fx.P("app/libtop.so"));
        Assert.That(report.Loadable, Is.True);

        _fx.Write("text/libdep.so.1", "this is not a library, but long enough to be more than an ELF header of sixty-four bytes\n");
        _fx.SharedLib("app/libbad.so", UsesDep, "libbad.so", $"-Wl,--no-as-needed x86/libdep.so.1 -Wl,-rpath,{_fx.P("text")}:{_fx.P("x86")}");
        var real = RealLoader(_fx.P("app/libbad.so"));
        var bad = Check(_fx.P("app/libbad.so"));
        Assert.That(real.ExitCode, Is.Not.Zero);
        var f = bad.Findings.Single(x => x.Code == "NLG0012");
        Assert.That(real.Error, Does.EndWith(f.LdMessage), "the same fatal error line as ld.so");
        Assert.That(bad.Loadable, Is.False);
        // The fix (move the impostor away) really makes it load.
        foreach (var c in f.Suggestions.Single().Commands!) _fx.Sh(c);
        Assert.That(RealLoader(_fx.P("app/libbad.so")).Map.Values, Has.None.Null);
    }

    [Test]
    public void Stubs_directory_in_a_runpath_loads_the_stub_and_is_reported()
    {
        _fx.SharedLib("cuda/lib64/stubs/libcuda.so", "int cuInit(unsigned f) { return 34; }", "libcuda.so.1");
        _fx.Sh("ln -s libcuda.so cuda/lib64/stubs/libcuda.so.1");
        _fx.SharedLib("build/libggml-cuda.so", "int cuInit(unsigned); int g(void) { return cuInit(0); }", "libggml-cuda.so",
            $"-Wl,--no-as-needed cuda/lib64/stubs/libcuda.so -Wl,-rpath,{_fx.P("cuda/lib64/stubs")}");
        var report = AssertAgrees(_fx.P("build/libggml-cuda.so"));
        var f = report.Findings.Single(x => x.Code == "NLG0005");
        Assert.That(f.Message, Does.Contain("loads the stub"));
        Assert.That(f.Suggestions.Single().Verified, Is.True);
        // Applied to a copy, the fix leaves the stub out: the real loader no longer finds libcuda.so.1.
        _fx.Sh("cp build/libggml-cuda.so build/libfixed.so");
        Tool.RequireOnPath("patchelf");
        _fx.Sh(f.Suggestions.Single().Commands!.Single().Replace("build/libggml-cuda.so", "build/libfixed.so").Replace(_fx.P("build/libggml-cuda.so"), _fx.P("build/libfixed.so")));
        var fixedReport = AssertAgrees(_fx.P("build/libfixed.so"));
        Assert.That(fixedReport.Findings.Select(x => x.Code), Is.EquivalentTo(new[] { "NLG0013" }), "the driver library is then expected from the driver");
        Assert.That(fixedReport.Loadable, Is.True);
    }

    [Test]
    public void Driver_library_absent_on_a_build_machine_is_information()
    {
        _fx.SharedLib("stubs/libcuda.so", "int cuInit(unsigned f) { return 34; }", "libcuda.so.1");
        _fx.SharedLib("build/libggml-cuda.so", "int cuInit(unsigned); int g(void) { return cuInit(0); }", "libggml-cuda.so",
            "-Wl,--no-as-needed stubs/libcuda.so");
        var report = AssertAgrees(_fx.P("build/libggml-cuda.so"));
        var f = report.Findings.Single();
        Assert.That((f.Code, f.Severity, f.Library), Is.EqualTo(("NLG0013", Severity.Info, "libcuda.so.1")));
        Assert.That(report.Loadable, Is.True);
    }

    [Test]
    public void Dependency_next_to_the_library_needs_origin_and_each_fix_really_loads()
    {
        Tool.RequireOnPath("patchelf");
        // A P/Invoke library shipped with its dependency beside it, linked without a run path: the classic .NET case.
        _fx.SharedLib("bin/runtimes/linux-x64/native/libdep.so.1", Dep, "libdep.so.1");
        _fx.SharedLib("bin/runtimes/linux-x64/native/libfoo.so", UsesDep, "libfoo.so", "-Wl,--no-as-needed bin/runtimes/linux-x64/native/libdep.so.1");
        string foo = _fx.P("bin/runtimes/linux-x64/native/libfoo.so");
        var report = AssertAgrees(foo);
        var f = report.Findings.Single(x => x.Code == "NLG0012");
        Assert.That(f.Notes, Has.Some.Contains("never searches a library's own directory"));
        Assert.That(f.Suggestions, Is.Not.Empty);
        Assert.That(f.Suggestions, Has.All.Matches<Suggestion>(s => s.Verified));
        var rpath = f.Suggestions.First(s => s.Flags.Count > 0);
        Assert.That(rpath.Flags, Is.EqualTo(new[] { "-Wl,-rpath,$ORIGIN" }));
        // patchelf, as suggested, on a copy: the real loader then finds it.
        _fx.Sh($"cp {foo} {foo}.orig");
        foreach (var c in rpath.Commands!) _fx.Sh(c);
        Assert.That(RealLoader(foo).Map["libdep.so.1"], Is.Not.Null);
        // Relinking with the suggested flag works too.
        _fx.SharedLib("bin/runtimes/linux-x64/native/libfoo2.so", UsesDep, "libfoo2.so",
            "-Wl,--no-as-needed bin/runtimes/linux-x64/native/libdep.so.1 " + string.Join(' ', rpath.Flags.Select(ShellQuote.Quote)));
        Assert.That(AssertAgrees(_fx.P("bin/runtimes/linux-x64/native/libfoo2.so")).Loadable, Is.True);
        // The LD_LIBRARY_PATH workaround, as suggested.
        var llp = f.Suggestions.Single(s => s.Environment is not null);
        Assert.That(RealLoader($"{foo}.orig", llp.Environment!["LD_LIBRARY_PATH"]).Map["libdep.so.1"], Is.Not.Null);
    }

    [Test]
    public void Missing_soname_link_is_suggested_and_works()
    {
        _fx.SharedLib("lib/libdep.so.1.2.3", Dep, "libdep.so.1");
        _fx.SharedLib("lib/libtop.so", UsesDep, "libtop.so", "-Wl,--no-as-needed lib/libdep.so.1.2.3 -Wl,-rpath,'$ORIGIN'");
        var report = AssertAgrees(_fx.P("lib/libtop.so"));
        var link = report.Findings.Single().Suggestions.First();
        Assert.That(link.Commands, Is.EqualTo(new[] { $"ln -sfn libdep.so.1.2.3 {_fx.P("lib/libdep.so.1")}" }));
        foreach (var c in link.Commands!) _fx.Sh(c);
        Assert.That(AssertAgrees(_fx.P("lib/libtop.so")).Loadable, Is.True);
    }

    [Test]
    public void Symlink_loops_dangling_links_and_odd_names_in_search_dirs_behave_like_ld_so()
    {
        _fx.SharedLib("good/libdep.so.1", Dep, "libdep.so.1");
        _fx.Sh("mkdir -p loop dangling 'odd\ndir' && ln -s libdep.so.1 loop/libdep.so.1 && ln -s /nonexistent/x dangling/libdep.so.1");
        _fx.Sh("printf 'x' > \"odd\n$(printf '\\377')name.so\" && cp good/libdep.so.1 'odd\ndir/'");
        // A dangling link is passed over (ENOENT); a loop (ELOOP) ends the whole list, as glibc's open_path does.
        _fx.SharedLib("app/libdangling.so", UsesDep, "libdangling.so", $"-Wl,--no-as-needed good/libdep.so.1 -Wl,-rpath,{_fx.P("dangling")}:{_fx.P("good")}");
        Assert.That(AssertAgrees(_fx.P("app/libdangling.so")).Loadable, Is.True);
        _fx.SharedLib("app/libtop.so", UsesDep, "libtop.so", $"-Wl,--no-as-needed good/libdep.so.1 -Wl,-rpath,{_fx.P("loop")}:{_fx.P("good")}");
        var looped = AssertAgrees(_fx.P("app/libtop.so"));
        Assert.That(looped.Loadable, Is.False);
        Assert.That(looped.Findings.Single().Searched.First().Result, Does.Contain("symlink loop"));
        _fx.SharedLib("app/libodd.so", UsesDep, "libodd.so", $"-Wl,--no-as-needed good/libdep.so.1 -Wl,-rpath,'$ORIGIN/../odd\ndir'");
        // ldd's output cannot carry a newline in a path: compare the line ld.so prints with the start of ours.
        string? real = RealLoader(_fx.P("app/libodd.so")).Map["libdep.so.1"];
        var odd = Check(_fx.P("app/libodd.so"));
        Assert.That(odd.Libraries.Single(l => l.Name == "libdep.so.1").Path, Is.EqualTo(real + "\ndir/libdep.so.1"));
        Assert.That(odd.Loadable, Is.True);
    }

    [Test]
    public void Huge_search_directory_is_listed_once_and_gives_the_same_answer()
    {
        _fx.SharedLib("big/libdep.so.1", Dep, "libdep.so.1");
        _fx.Sh("cd big && seq 1 20000 | sed 's/^/libfiller/;s/$/.so/' | xargs touch");
        _fx.SharedLib("app/libtop.so", UsesDep, "libtop.so", $"-Wl,--no-as-needed big/libdep.so.1 -Wl,-rpath,{_fx.P("big")}");
        Assert.That(AssertAgrees(_fx.P("app/libtop.so")).Loadable, Is.True);
    }

    [Test]
    public void Bad_roots_are_findings_not_crashes()
    {
        _fx.Write("notelf.so", "hello");
        _fx.Sh("mkfifo fifo.so && ln -s self.so self.so");
        foreach (var f in new[] { "notelf.so", "missing.so", "self.so", ".", "fifo.so" })
        {
            var task = Task.Run(() => Check(_fx.P(f)));
            Assert.That(task.Wait(TimeSpan.FromSeconds(20)), Is.True, $"{f}: must not hang");
            var r = task.Result;
            Assert.That(r.Loadable, Is.False, f);
            Assert.That(r.Findings.Single().Code, Is.EqualTo("NLG0012"), f);
        }
    }
    [Test]
    public void A_needed_path_is_loaded_as_is_relative_to_the_working_directory_and_never_searched()
    {
        // gcc records the path of a SONAME-less library linked by path; ld.so opens a NAME with a '/' directly.
        _fx.SharedLib("sub/libdep.so", Dep);
        _fx.SharedLib("abs/libdep.so", Dep);
        _fx.SharedLib("app/librel.so", UsesDep, "librel.so", "-Wl,--no-as-needed sub/libdep.so -Wl,-rpath,'$ORIGIN/../sub'");
        _fx.SharedLib("app/libabs.so", UsesDep, "libabs.so", $"-Wl,--no-as-needed {_fx.P("abs/libdep.so")}");
        Assert.That(AssertAgrees(_fx.P("app/librel.so")).Loadable, Is.True, "sub/libdep.so from the cwd");
        Assert.That(AssertAgrees(_fx.P("app/libabs.so")).Loadable, Is.True);
        _fx.Sh("mkdir -p moved && mv abs/libdep.so moved/ && mv sub sub.moved");
        // Neither the run path (which holds sub/'s old place) nor LD_LIBRARY_PATH is searched for such a NAME.
        Assert.That(AssertAgrees(_fx.P("app/librel.so"), ldLibraryPath: _fx.P("sub.moved")).Loadable, Is.False);
        Assert.That(AssertAgrees(_fx.P("app/libabs.so"), ldLibraryPath: _fx.P("moved")).Loadable, Is.False);
    }
}
