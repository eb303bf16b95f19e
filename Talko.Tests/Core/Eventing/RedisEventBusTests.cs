using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Talko.Core.Eventing;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Eventing;

/// <summary>Two buses on two separate Redis connections, as two instances would have.</summary>
public sealed class RedisEventBusTests(RedisFixture redis) : EventBusSpecification, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly string testPrefix = $"{redis.Prefix}:{Guid.NewGuid():N}";
    private IConnectionMultiplexer? secondConnection;

    protected override (IEventBus First, IEventBus Second) Buses =>
        (new RedisEventBus(redis.Connection, NullLogger<RedisEventBus>.Instance), new RedisEventBus(secondConnection!, NullLogger<RedisEventBus>.Instance));

    protected override string Channel(string name) => $"{testPrefix}:{name}";

    public async Task InitializeAsync() => secondConnection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString).WaitAsync(TestTimeouts.Default);

    public async Task DisposeAsync() => await secondConnection!.DisposeAsync();
}
