namespace Talko.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster (three primaries started by scripts/test.sh), so the code that must run on one is held to it:
/// a multi-key command or script whose keys span hash slots fails there with CROSSSLOT, never on a single server.
/// </summary>
public sealed class RedisClusterFixture : RedisFixture
{
    protected override Task<string> FindServerAsync() =>
        TestServers.RedisClusterFromEnvironment is { } configured
            ? Task.FromResult(configured)
            : throw TestServers.Missing("A Redis Cluster", TestServers.RedisClusterVariable);
}
