using Talko.Core.Awareness;
using Talko.Core.Calls;
using Talko.Core.Media.Engine;
using Talko.Server.Features.Calls;
using Talko.Server.Hosting.Drain;
using Talko.Server.Sip;
using Talko.Core.Conversations;
using Talko.Core.Imaging;
using Talko.Core.Instances;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Admin;
using Talko.Server.Features.Notifications;
using Talko.Server.Hosting;

namespace Talko.Tests.Docs;

/// <summary>docs/configuration.md lists every setting with its real default; this test keeps it true.</summary>
public sealed class ConfigurationDocsTests
{
    /// <summary>Every options class and the configuration section it is bound from.</summary>
    internal static readonly (string Section, Type Options)[] Sections =
    [
        (TalkoOptions.Section, typeof(TalkoOptions)),
        ("Talko:Instance", typeof(InstanceRegistryOptions)),
        ("Talko:Instance", typeof(InstanceAddressOptions)),
        ("Talko:Admin", typeof(AdminOptions)),
        (AuthOptions.Section, typeof(AuthOptions)),
        (AccountsOptions.Section, typeof(AccountsOptions)),
        (ProxyOptions.Section, typeof(ProxyOptions)),
        (Talko.Server.Features.Realtime.RealtimeOptions.Section, typeof(Talko.Server.Features.Realtime.RealtimeOptions)),
        (ConversationsOptions.Section, typeof(ConversationsOptions)),
        ("Talko:Imaging", typeof(ImagingOptions)),
        (AwarenessOptions.Section, typeof(AwarenessOptions)),
        (NotificationsOptions.Section, typeof(NotificationsOptions)),
        (SipHostOptions.Section, typeof(SipHostOptions)),
        ("Talko:Media", typeof(MediaEngineOptions)),
        (CallsOptions.Section, typeof(CallsOptions)),
        ("Talko:Calls:Ownership", typeof(CallOwnershipOptions)),
        (DrainOptions.Section, typeof(DrainOptions)),
    ];

    [Fact]
    public void Configuration_reference_matches_the_options_classes()
    {
        var path = Path.Combine(SolutionDirectory(), "docs", "configuration.md");
        var expected = ConfigurationReference.Render(Sections);
        if (Environment.GetEnvironmentVariable("TALKO_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), "docs/configuration.md is missing: run with TALKO_UPDATE_DOCS=1 to generate it.");
        Assert.True(expected == File.ReadAllText(path), "docs/configuration.md is out of date: run `TALKO_UPDATE_DOCS=1 dotnet test --filter ConfigurationDocs` and commit it.");
    }

    private static string SolutionDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Talko.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Talko.sln not found above the test output.");
    }
}
