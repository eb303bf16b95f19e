using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Talko.Core.Instances;

namespace Talko.Core.Awareness;

/// <summary>
/// Heals awareness that nobody said goodbye for: users with something due (an expired typing activity
/// or lease) and every connection of an instance that left the registry (a crash, a SIGKILL). Every
/// instance runs one; the store's atomic change detection means racing reapers report each change once.
/// </summary>
public sealed class AwarenessReaper(
    IAwarenessStore store,
    IAwarenessNotifier notifier,
    InstanceRegistry registry,
    InstanceLifecycle instance,
    IOptions<AwarenessOptions> options,
    TimeProvider time,
    ILogger<AwarenessReaper> logger)
{
    /// <summary>Bounds one pass, so a huge backlog is worked off over several passes instead of blocking one.</summary>
    private const int MaxBatchesPerPass = 20;

    /// <summary>One pass; returns how many changes it published.</summary>
    public async Task<int> ReapAsync()
    {
        var published = 0;
        for (var batch = 0; batch < MaxBatchesPerPass; batch++)
        {
            var changes = await store.ReapDueAsync(time.GetUtcNow(), options.Value.BatchSize).ConfigureAwait(false);
            AwarenessMetrics.Expired("lease", changes.Count);
            published += await PublishAsync(changes).ConfigureAwait(false);
            if (changes.Count < options.Value.BatchSize)
            {
                break;
            }
        }

        var holders = await store.InstancesAsync().ConfigureAwait(false);
        if (holders.Count == 0 || holders.All(id => id == instance.InstanceId))
        {
            return published;
        }

        var live = (await registry.ListAsync().ConfigureAwait(false)).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var dead in holders.Where(id => id != instance.InstanceId && !live.Contains(id)))
        {
            var changes = await store.ReapInstanceAsync(dead, time.GetUtcNow(), options.Value.BatchSize).ConfigureAwait(false);
            AwarenessLog.ReapedInstance(logger, dead, changes.Count);
            AwarenessMetrics.Expired("instance", changes.Count);
            published += await PublishAsync(changes).ConfigureAwait(false);
        }

        return published;
    }

    private async Task<int> PublishAsync(IReadOnlyList<UserAwareness> changes)
    {
        if (changes.Count == 0)
        {
            return 0;
        }

        try
        {
            await notifier.PublishAsync(changes).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            AwarenessLog.NotifyFailed(logger, exception, changes.Count);
        }

        return changes.Count;
    }
}
