namespace Talko.Core.Eventing;

/// <summary>
/// Fire-and-forget publish/subscribe between the parts of Talko, across instances when scaled out.
/// Never the only copy of anything durable: a lost message costs latency, not data.
/// Channel names come from <see cref="Ephemeral.KeySpace"/>.
/// </summary>
public interface IEventBus
{
    Task PublishAsync(string channel, string message);

    /// <summary>
    /// Delivers each message published on <paramref name="channel"/> to <paramref name="handler"/>,
    /// one at a time and in publish order. Dispose the result to stop.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler);

    /// <summary>How many subscriptions <paramref name="channel"/> has right now, across every instance.</summary>
    Task<long> CountSubscribersAsync(string channel);
}
