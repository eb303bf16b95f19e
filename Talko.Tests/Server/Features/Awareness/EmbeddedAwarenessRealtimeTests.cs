using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Awareness;

/// <summary>The realtime awareness suite in embedded mode: one instance, in-process store and events.</summary>
public sealed class EmbeddedAwarenessRealtimeTests : AwarenessRealtimeSpecification
{
    public override Task InitializeAsync()
    {
        UserHost = new TalkoHost(TalkoHostOptions.Embedded() with { Settings = AwarenessTestKit.Settings }, AwarenessTestKit.Services(Audience, Codes));
        WatcherHost = UserHost;
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync() => await UserHost.DisposeAsync();
}
