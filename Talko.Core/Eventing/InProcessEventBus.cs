using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Talko.Core.Eventing;

/// <summary>
/// The embedded (single instance) event bus. Each subscription has its own queue and reader so that,
/// as with Redis, a publisher never runs subscriber code inline and a slow subscriber delays only itself.
/// </summary>
public sealed class InProcessEventBus(ILogger<InProcessEventBus> logger) : IEventBus
{
    private readonly ConcurrentDictionary<string, ImmutableSubscriptions> subscriptions = new();

    public Task PublishAsync(string channel, string message)
    {
        if (subscriptions.TryGetValue(channel, out var current))
        {
            foreach (var subscription in current.Items)
            {
                subscription.Enqueue(message);
            }
        }

        return Task.CompletedTask;
    }

    public Task<long> CountSubscribersAsync(string channel) =>
        Task.FromResult(subscriptions.TryGetValue(channel, out var current) ? (long)current.Items.Length : 0L);

    public Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler)
    {
        var subscription = new QueuedSubscription(handler, logger, channel);
        subscriptions.AddOrUpdate(channel, _ => new([subscription]), (_, existing) => existing.Add(subscription));
        subscription.OnDispose = () => subscriptions.AddOrUpdate(channel, _ => new([]), (_, existing) => existing.Remove(subscription));
        return Task.FromResult<IAsyncDisposable>(subscription);
    }

    /// <summary>Copy-on-write list so that publishing never takes a lock.</summary>
    private sealed record ImmutableSubscriptions(QueuedSubscription[] Items)
    {
        public ImmutableSubscriptions Add(QueuedSubscription item) => new([.. Items, item]);

        public ImmutableSubscriptions Remove(QueuedSubscription item) => new(Items.Where(i => i != item).ToArray());
    }
}
