using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Accounts;

/// <summary>
/// One Talko host for a test class, with a clock the tests drive and limits set for testing: the
/// contact quota is small so it can be reached; the per-IP limit is high so only the test about it meets it.
/// </summary>
public abstract class AccountsHostFixture : IAsyncLifetime
{
    public const int ContactQuota = 30;

    private readonly List<TalkoHost> hosts = [];

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public TalkoHost Host { get; private set; } = null!;

    public abstract bool ScaledOut { get; }

    public virtual async Task InitializeAsync()
    {
        Host = CreateHost();
        // Starting the host applies migrations; do it here, outside every test's timing.
        using var client = Host.CreateClient();
        (await client.GetAsync("/health/live").WaitAsync(TestTimeouts.Long)).EnsureSuccessStatusCode();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>A host on this fixture's servers (another instance of the same deployment when scaled out).</summary>
    public TalkoHost CreateHost(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var merged = new Dictionary<string, string?>
        {
            ["Talko:Accounts:AuthRequestsPerIp"] = "100000",
            ["Talko:Accounts:ContactMatchQuota"] = ContactQuota.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        var host = new TalkoHost(BaseOptions() with { Settings = merged }, services => services.AddSingleton<TimeProvider>(Time));
        hosts.Add(host);
        return host;
    }

    protected abstract TalkoHostOptions BaseOptions();
}

public sealed class EmbeddedAccountsFixture : AccountsHostFixture
{
    public override bool ScaledOut => false;

    protected override TalkoHostOptions BaseOptions() => TalkoHostOptions.Embedded();
}

/// <summary>Real PostgreSQL and Redis; every host made by <see cref="AccountsHostFixture.CreateHost"/> shares them.</summary>
public sealed class ScaledOutAccountsFixture : AccountsHostFixture
{
    private readonly PostgresFixture postgres = new();
    private readonly RedisFixture redis = new();

    public override bool ScaledOut => true;

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

    protected override TalkoHostOptions BaseOptions() => TalkoHostOptions.ScaledOut(postgres, redis) with { RedisPrefix = redis.Prefix, InstanceId = $"acc-{Guid.NewGuid():N}"[..12] };
}
