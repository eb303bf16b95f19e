using Microsoft.Extensions.Options;
using Talko.Core.Awareness;
using Talko.Core.Ephemeral;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Awareness;

/// <summary>
/// The awareness specification on a three-node Redis Cluster: its one script touches the due set, an instance's
/// hash and several users' keys, which runs only because they share the {aw} hash tag (ADR 0206).
/// </summary>
public sealed class RedisClusterAwarenessStoreTests(RedisClusterFixture redis) : AwarenessStoreSpecification, IClassFixture<RedisClusterFixture>
{
    protected override IAwarenessStore Store { get; } =
        new RedisAwarenessStore(redis.Connection, new KeySpace($"{redis.Prefix}:{Guid.NewGuid():N}"), Options.Create(new AwarenessOptions()));
}
