using Talko.Core.Ephemeral;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Ephemeral;

/// <summary>The ephemeral-store specification on a three-node Redis Cluster: keys of one test spread over its slots.</summary>
public sealed class RedisClusterEphemeralStoreTests(RedisClusterFixture redis) : EphemeralStoreSpecification, IClassFixture<RedisClusterFixture>
{
    private readonly string testPrefix = $"{redis.Prefix}:{Guid.NewGuid():N}";

    protected override IEphemeralStore Store { get; } = new RedisEphemeralStore(redis.Connection);

    protected override string Key(string name) => $"{testPrefix}:{name}";

    protected override TimeSpan ShortTtl => TimeSpan.FromSeconds(3);

    protected override Task ElapseAsync(TimeSpan duration) => Task.Delay(duration);
}
