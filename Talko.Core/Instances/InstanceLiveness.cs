using Talko.Core.Ephemeral;
using Talko.Core.Eventing;

namespace Talko.Core.Instances;

/// <summary>
/// Whether an instance in the registry still runs. A registry entry outlives a crash by up to its time to live (6 s),
/// which pointed joins at a dead call owner; a subscription does not: each instance subscribes to its own liveness
/// channel, and Redis drops the subscription the moment the kernel closes the process's connection, which a SIGKILL or
/// a crash does at once (a host that vanishes from the network is still found by the entry's expiry). A missing
/// subscription is believed only while this instance's own is there: otherwise Redis has just come back and
/// subscriptions are still being restored (ADR 0205).
/// </summary>
public sealed class InstanceLiveness(InstanceRegistry registry, IEventBus bus, KeySpace keys, InstanceLifecycle self)
{
    /// <summary>Holds this instance's sign of life until disposed (the process stops).</summary>
    public Task<IAsyncDisposable> SubscribeAsync() =>
        bus.SubscribeAsync(keys.InstanceLivenessChannel(self.InstanceId), _ => Task.CompletedTask);

    /// <summary>
    /// True once Redis counts this instance's own subscription: after an outage, the moment subscriptions (this one and,
    /// on the same link, the realtime backplane's) are restored.
    /// </summary>
    public async Task<bool> IsSubscribedAsync() =>
        await bus.CountSubscribersAsync(keys.InstanceLivenessChannel(self.InstanceId)).ConfigureAwait(false) > 0;

    /// <summary>The registry entry of <paramref name="instanceId"/> if that instance is alive; null if it is gone.</summary>
    public async Task<InstanceDescriptor?> FindAliveAsync(string instanceId)
    {
        if (await registry.FindAsync(instanceId).ConfigureAwait(false) is not { } descriptor)
        {
            return null;
        }

        if (instanceId == self.InstanceId || !descriptor.SubscribesLiveness
            || await bus.CountSubscribersAsync(keys.InstanceLivenessChannel(instanceId)).ConfigureAwait(false) > 0)
        {
            return descriptor;
        }

        return await IsSubscribedAsync().ConfigureAwait(false) ? null : descriptor;
    }
}
