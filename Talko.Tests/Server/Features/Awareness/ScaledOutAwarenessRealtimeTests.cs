using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Awareness;

/// <summary>The realtime awareness suite across two instances sharing Redis and PostgreSQL.</summary>
public sealed class ScaledOutAwarenessRealtimeTests(PostgresFixture postgres, RedisFixture redis)
    : AwarenessRealtimeSpecification, IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    public override Task InitializeAsync()
    {
        UserHost = new TalkoHost(Options("one"), AwarenessTestKit.Services(Audience, Codes));
        WatcherHost = new TalkoHost(Options("two"), AwarenessTestKit.Services(Audience, Codes));
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await UserHost.DisposeAsync();
        await WatcherHost.DisposeAsync();
    }

    private TalkoHostOptions Options(string name) =>
        TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = $"{name}-{Guid.NewGuid():N}"[..12], Settings = AwarenessTestKit.Settings };
}
