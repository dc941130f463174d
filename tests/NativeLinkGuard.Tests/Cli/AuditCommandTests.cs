using System.Text.Json;
using NativeLinkGuard.Cli;
using NativeLinkGuard.Tests.Differential;
using NativeLinkGuard.Tests.TestSupport;

namespace NativeLinkGuard.Tests.Cli;

[Category("RequiresCc")]
public sealed class AuditCommandTests
{
    [Test]
    public void Audit_json_carries_the_commands_and_the_exit_code_says_whether_anything_is_wrong()
    {
        Tool.RequireOnPath("gcc");
        using var fx = new LinkFixture();
        fx.SharedLib("lib/libcudnn.so.7.5.0", "int c(void){return 7;}\n", soname: "libcudnn.so.7");
        File.Copy(fx.P("lib/libcudnn.so.7.5.0"), fx.P("lib/libcudnn.so.7"));
        var o = new StringWriter();
        Assert.That(CliApp.Run(["audit", fx.P("lib"), "--format", "json"], o, new StringWriter()), Is.EqualTo(1));
        using var doc = JsonDocument.Parse(o.ToString());
        var f = doc.RootElement.GetProperty("audits")[0].GetProperty("findings")[0];
        Assert.That(f.GetProperty("code").GetString(), Is.EqualTo("NLG0004"));
        Assert.That(f.GetProperty("suggestions")[0].GetProperty("commands")[0].GetString(), Is.EqualTo("ln -sfn libcudnn.so.7.5.0 libcudnn.so.7"));
        File.Delete(fx.P("lib/libcudnn.so.7"));
        File.CreateSymbolicLink(fx.P("lib/libcudnn.so.7"), "libcudnn.so.7.5.0");
        Assert.That(CliApp.Run(["audit", fx.P("lib")], new StringWriter(), new StringWriter()), Is.EqualTo(0));
        Assert.That(CliApp.Run(["audit"], new StringWriter(), new StringWriter()), Is.EqualTo(2));
    }

    [Test]
    public void Auditing_the_machines_multiarch_directory_exits_clean_where_ldconfig_is_silent()
    {
        const string dir = "/usr/lib/x86_64-linux-gnu";
        Assert.That(global::NativeLinkGuard.Tests.Audit.LdconfigOracle.Read(dir).Silent, "ldconfig is silent there");
        var o = new StringWriter();
        Assert.That(CliApp.Run(["audit", dir], o, new StringWriter()), Is.EqualTo(0), o.ToString());
        Assert.That(o.ToString(), Does.Not.Contain("ln -sfn"));
    }
}
