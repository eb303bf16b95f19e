using Talko.Core.Ephemeral;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Ephemeral;

public sealed class RedisEphemeralStoreTests(RedisFixture redis) : EphemeralStoreSpecification, IClassFixture<RedisFixture>
{
    // Each test gets its own keys, so tests in this class never see each other's state.
    private readonly string testPrefix = $"{redis.Prefix}:{Guid.NewGuid():N}";

    protected override IEphemeralStore Store { get; } = new RedisEphemeralStore(redis.Connection);

    protected override string Key(string name) => $"{testPrefix}:{name}";

    protected override TimeSpan ShortTtl => TimeSpan.FromSeconds(3);

    protected override Task ElapseAsync(TimeSpan duration) => Task.Delay(duration);
}
