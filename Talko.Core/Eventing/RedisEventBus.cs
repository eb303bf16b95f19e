using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Talko.Core.Eventing;

/// <summary>The scale-out event bus: Redis pub/sub, so every instance subscribed to a channel gets each message.</summary>
public sealed class RedisEventBus(IConnectionMultiplexer redis, ILogger<RedisEventBus> logger) : IEventBus
{
    public Task PublishAsync(string channel, string message) =>
        redis.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), message);

    public async Task<long> CountSubscribersAsync(string channel)
    {
        // PUBSUB NUMSUB through the server API, so the multiplexer's channel prefix (the SignalR backplane sets one on the
        // shared configuration) applies as it does to subscriptions. Redis drops a client's subscriptions as soon as its
        // connection closes. A server counts only the clients subscribed on it, so on Redis Cluster the count is the sum
        // over every primary; one that is not connected would make a live subscriber look gone, so that fails instead.
        var primaries = redis.GetServers().Where(server => !server.IsReplica).ToArray();
        if (primaries.Length == 0 || primaries.Any(server => !server.IsConnected))
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Not every Redis primary is connected.", null, CommandStatus.Unknown);
        }

        var counts = await Task.WhenAll(primaries.Select(server => server.SubscriptionSubscriberCountAsync(RedisChannel.Literal(channel)))).ConfigureAwait(false);
        return counts.Sum();
    }

    public async Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler)
    {
        // A ChannelMessageQueue with an async OnMessage handler processes messages sequentially,
        // which keeps per-channel order like the in-process bus.
        var queue = await SubscribeWhenConnectedAsync(RedisChannel.Literal(channel)).ConfigureAwait(false);
        queue.OnMessage(async message =>
        {
            try
            {
                await handler(message.Message.ToString()).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                EventBusLog.HandlerFailed(logger, exception, channel);
            }
        });
        return new Unsubscriber(queue);
    }

    /// <summary>
    /// Subscriptions are made once, mostly while the host starts, when the link may still be connecting; and calls fail
    /// fast while it is down (ADR 0205). So a subscription waits for the link, up to <see cref="SubscribeWait"/>; once
    /// made, Redis restores it by itself after any outage.
    /// </summary>
    private async Task<ChannelMessageQueue> SubscribeWhenConnectedAsync(RedisChannel channel)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await redis.GetSubscriber().SubscribeAsync(channel).ConfigureAwait(false);
            }
            catch (RedisConnectionException) when (waited.Elapsed < SubscribeWait)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan SubscribeWait = TimeSpan.FromSeconds(30);

    private sealed class Unsubscriber(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync().ConfigureAwait(false);
    }
}
