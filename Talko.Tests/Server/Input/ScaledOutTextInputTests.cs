using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Input;

/// <summary>The same rules on PostgreSQL and Redis, where a column's length is enforced.</summary>
public sealed class ScaledOutTextInputTests(PostgresFixture postgres, RedisFixture redis)
    : TextInputSpecification, IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    private TalkoHost host = null!;

    protected override TalkoHost Host => host;

    public override async Task InitializeAsync()
    {
        host = new TalkoHost(TalkoHostOptions.ScaledOut(postgres, redis) with
        {
            Settings = new Dictionary<string, string?> { ["Talko:Accounts:AuthRequestsPerIp"] = "10000" },
        });
        using var client = host.CreateClient();
        (await client.GetAsync("/health/live").WaitAsync(TestTimeouts.Long)).EnsureSuccessStatusCode();
    }

    public override async Task DisposeAsync() => await host.DisposeAsync();
}
