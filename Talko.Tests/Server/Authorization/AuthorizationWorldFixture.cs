using System.Globalization;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;

namespace Talko.Tests.Server.Authorization;

/// <summary>
/// One host and its <see cref="AuthorizationWorld"/> per run mode, shared by the matrix tests of that mode; spare
/// hosts of the same deployment on demand. Limits that would stop the matrix's many sign-ins are raised, and an
/// empty call stays live for the whole run.
/// </summary>
public abstract class AuthorizationWorldFixture : IAsyncLifetime
{
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"matrix-{Guid.NewGuid():N}");
    private readonly List<TalkoHost> hosts = [];

    public AuthorizationWorld World { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        var host = CreateHost();
        World = await AuthorizationWorld.BuildAsync(host, SpareHostAsync);
    }

    public virtual async Task DisposeAsync()
    {
        if (World is not null)
        {
            await World.DisposeAsync();
        }

        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }

        TestDirectory.Delete(shared);
    }

    protected abstract TalkoHostOptions BaseOptions();

    private Task<TalkoHost> SpareHostAsync()
    {
        var host = CreateHost();
        host.CreateClient().Dispose();
        return Task.FromResult(host);
    }

    private TalkoHost CreateHost()
    {
        var settings = CallsTestKit.InstanceSettings(shared, FreePort.Find());
        // The call tests' fast timers are for failover; the matrix only needs calls to exist.
        foreach (var fast in new[] { "Talko:Instance:HeartbeatInterval", "Talko:Instance:EntryTimeToLive", "Talko:Calls:Ownership:ClaimTimeToLive", "Talko:Calls:RenewInterval", "Talko:Calls:SweepInterval" })
        {
            settings.Remove(fast);
        }

        settings["Talko:Calls:EmptyCallGrace"] = "01:00:00";
        settings["Talko:Accounts:AuthRequestsPerIp"] = "1000000";
        settings["Talko:Accounts:CodeRequestsPerIdentifier"] = "1000000";
        settings["Talko:Accounts:MaxDevicesPerUser"] = "1000";
        settings["Talko:Accounts:MaxIdentifiersPerUser"] = "1000";
        var host = new TalkoHost(BaseOptions() with { InstanceId = $"matrix-{hosts.Count.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..16], Settings = settings });
        hosts.Add(host);
        return host;
    }
}

public sealed class EmbeddedAuthorizationWorld : AuthorizationWorldFixture
{
    protected override TalkoHostOptions BaseOptions() => TalkoHostOptions.Embedded();
}

/// <summary>Real PostgreSQL and Redis; spare hosts join the same deployment.</summary>
public sealed class ScaledOutAuthorizationWorld : AuthorizationWorldFixture
{
    private readonly PostgresFixture postgres = new();
    private readonly RedisFixture redis = new();

    public override async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        await redis.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await redis.DisposeAsync();
        await postgres.DisposeAsync();
    }

    protected override TalkoHostOptions BaseOptions() => TalkoHostOptions.ScaledOut(postgres, redis);
}
