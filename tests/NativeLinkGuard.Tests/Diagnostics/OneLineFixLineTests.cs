using NativeLinkGuard.Diagnostics;

namespace NativeLinkGuard.Tests.Diagnostics;

/// <summary>The one line every front end writes: subject, message, the first proper fix.</summary>
public sealed class OneLineFixLineTests
{
    private static readonly Suggestion Workaround =
        new(SuggestionQuality.Workaround, "allow it", ["-Wl,--allow-shlib-undefined"], "w");

    private static readonly Suggestion Proper =
        new(SuggestionQuality.Proper, "link it", ["-Wl,-rpath-link,/a b"], "p") { Commands = ["ln -s x y"] };

    private static Finding F(string message, params Suggestion[] suggestions) =>
        new() { Code = "NLG0002", Severity = Severity.Error, Message = message, LdMessage = "ld", Suggestions = suggestions };

    [Test]
    public void The_subject_comes_first_unless_the_message_starts_with_it()
    {
        Assert.That(OneLineFix.Line("app", F("libx.so.1 will not be found")), Is.EqualTo("app: libx.so.1 will not be found."));
        Assert.That(OneLineFix.Line("libx.so", F("libx.so's DT_RUNPATH is bad")), Is.EqualTo("libx.so's DT_RUNPATH is bad."));
        Assert.That(OneLineFix.Line("", F("m")), Is.EqualTo("m."));
    }

    [Test]
    public void The_first_proper_fix_follows_in_full_and_never_a_workaround()
    {
        Assert.That(OneLineFix.Line("app", F("m", Workaround, Proper)),
            Is.EqualTo("app: m. Fix: link it: run ln -s x y, then add '-Wl,-rpath-link,/a b'."));
        Assert.That(OneLineFix.Line("app", F("m", Workaround)), Is.EqualTo("app: m."));
    }

    [Test]
    public void Commands_meant_for_a_directory_say_where_they_run() =>
        Assert.That(OneLineFix.Line("/lib", F("m", Proper with { Flags = [] }), runIn: "/lib"),
            Is.EqualTo("/lib: m. Fix (in /lib): link it: run ln -s x y."));
}
