using Microsoft.Extensions.Options;
using Talko.Core.Awareness;
using Talko.Core.Ephemeral;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Awareness;

/// <summary>The specification on real Redis; each test gets its own key space.</summary>
public sealed class RedisAwarenessStoreTests(RedisFixture redis) : AwarenessStoreSpecification, IClassFixture<RedisFixture>
{
    protected override IAwarenessStore Store { get; } =
        new RedisAwarenessStore(redis.Connection, new KeySpace($"{redis.Prefix}:{Guid.NewGuid():N}"), Options.Create(new AwarenessOptions()));
}
