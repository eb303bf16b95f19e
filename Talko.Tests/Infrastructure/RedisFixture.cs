using StackExchange.Redis;
using Testcontainers.Redis;

namespace Talko.Tests.Infrastructure;

/// <summary>
/// A real Redis for a test class. Each fixture gets its own key prefix, so classes running in parallel
/// (and leftovers of earlier runs) never see each other's keys: clean state without FLUSHDB.
/// </summary>
public class RedisFixture : IAsyncLifetime
{
    private RedisContainer? container;

    public string ConnectionString { get; private set; } = "";

    /// <summary>A prefix unique to this fixture, for <see cref="Talko.Core.Ephemeral.KeySpace"/> and Talko:RedisPrefix.</summary>
    public string Prefix { get; } = $"test-{Guid.NewGuid():N}";

    public IConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await FindServerAsync();
        Connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString).WaitAsync(TestTimeouts.Default);
    }

    /// <summary>The connection string of the Redis to use: scripts/test.sh's, else a container.</summary>
    protected virtual async Task<string> FindServerAsync()
    {
        if (TestServers.RedisFromEnvironment is { } configured)
        {
            return configured;
        }

        if (TestServers.DockerAvailable)
        {
            container = new RedisBuilder("redis:7-alpine").Build();
            await container.StartAsync().WaitAsync(TestTimeouts.Long);
            return container.GetConnectionString();
        }

        throw TestServers.Missing("Redis", TestServers.RedisVariable);
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await DeleteKeysAsync(Prefix + ":*");
            await Connection.DisposeAsync();
        }

        if (container is not null)
        {
            await container.DisposeAsync();
        }
    }

    private async Task DeleteKeysAsync(string pattern)
    {
        foreach (var endpoint in Connection.GetEndPoints())
        {
            var server = Connection.GetServer(endpoint);
            await foreach (var key in server.KeysAsync(pattern: pattern))
            {
                await Connection.GetDatabase().KeyDeleteAsync(key);
            }
        }
    }
}
