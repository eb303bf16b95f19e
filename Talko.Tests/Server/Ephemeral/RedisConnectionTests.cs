using StackExchange.Redis;
using Talko.Server.Ephemeral;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Ephemeral;

/// <summary>What StackExchange.Redis 3 changed for Talko's connection: RESP3 by default, and admin commands off.</summary>
public sealed class RedisConnectionTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Talkos_connection_speaks_resp3_and_carries_commands_and_subscriptions_together()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnectionOptions.From(redis.ConnectionString)).WaitAsync(TestTimeouts.Default);
        var server = connection.GetServer(connection.GetEndPoints().Single());
        Assert.Equal(RedisProtocol.Resp3, server.Protocol);

        var channel = RedisChannel.Literal($"{redis.Prefix}:{Guid.NewGuid():N}");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.GetSubscriber().SubscribeAsync(channel, (_, message) => received.TrySetResult(message!)).WaitAsync(TestTimeouts.Default);
        var key = $"{redis.Prefix}:{Guid.NewGuid():N}";
        await connection.GetDatabase().StringSetAsync(key, "value", TimeSpan.FromMinutes(1)).WaitAsync(TestTimeouts.Default);
        await connection.GetSubscriber().PublishAsync(channel, "hello").WaitAsync(TestTimeouts.Default);

        Assert.Equal("hello", await received.Task.WaitAsync(TestTimeouts.Default));
        Assert.Equal("value", (string?)await connection.GetDatabase().StringGetAsync(key).WaitAsync(TestTimeouts.Default));
        await connection.GetDatabase().KeyDeleteAsync(key);
    }

    [Fact]
    public async Task Admin_commands_are_refused_by_the_client_since_talko_needs_none()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnectionOptions.From(redis.ConnectionString)).WaitAsync(TestTimeouts.Default);
        var server = connection.GetServer(connection.GetEndPoints().Single());

        var refused = await Assert.ThrowsAsync<RedisCommandException>(() => server.ConfigGetAsync("maxmemory"));

        Assert.Contains("admin", refused.Message, StringComparison.OrdinalIgnoreCase);
    }
}
