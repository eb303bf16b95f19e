using Talko.Core.Awareness;
using Talko.Core.Calls;
using Talko.Core.Conversations;
using Talko.Core.Imaging;
using Talko.Core.Instances;
using Talko.Core.Media.Engine;
using Talko.Server.Drain;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Admin;
using Talko.Server.Features.Calls;
using Talko.Server.Features.Notifications;
using Talko.Server.Kernel;
using Talko.Server.Sip;

namespace Talko.Tests.Server.Docs;

/// <summary>docs/configuration.md lists every setting with its real default; this test keeps it true.</summary>
public sealed class ConfigurationDocsTests
{
    [Fact]
    public void Configuration_reference_matches_the_options_classes()
    {
        var path = Path.Combine(SolutionDirectory(), "docs", "configuration.md");
        var expected = ConfigurationReference.Render(BoundOptionsDiscovery.Discover());
        if (Environment.GetEnvironmentVariable("TALKO_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), "docs/configuration.md is missing: run with TALKO_UPDATE_DOCS=1 to generate it.");
        Assert.True(expected == File.ReadAllText(path), "docs/configuration.md is out of date: run `TALKO_UPDATE_DOCS=1 dotnet test --filter ConfigurationDocs` and commit it.");
    }

    /// <summary>The discovery itself: sections bound in different ways (BindConfiguration, Bind, the SIP sub-sections) are found.</summary>
    [Fact]
    public void Discovery_finds_options_bound_in_every_way_the_application_binds_them()
    {
        var found = BoundOptionsDiscovery.Discover();
        Assert.Contains(("Talko:Sip:Digest", typeof(Talko.Core.Sip.Registrar.SipDigestOptions)), found);
        Assert.Contains(("Talko:Sip:Transport", typeof(Talko.Core.Sip.Transport.SipTransportOptions)), found);
        Assert.Contains(("Talko:Sip:Parser", typeof(Talko.Core.Sip.Messages.SipParserOptions)), found);
        Assert.Contains(("Talko:Media", typeof(MediaEngineOptions)), found);
        Assert.Contains((NotificationsOptions.Section, typeof(NotificationsOptions)), found);
        Assert.Contains(("Talko:Instance", typeof(InstanceAddressOptions)), found);
        Assert.Contains(("Talko:Instance", typeof(InstanceRegistryOptions)), found);
    }

    private static string SolutionDirectory() => Infrastructure.SolutionPaths.Root;
}
