using System.Collections.Concurrent;
using Talko.Core.Awareness;

namespace Talko.Tests.Core.Awareness;

/// <summary>Keeps every published change, in order.</summary>
internal sealed class RecordingNotifier : IAwarenessNotifier
{
    private readonly ConcurrentQueue<UserAwareness> changes = new();

    public IReadOnlyList<UserAwareness> Changes => changes.ToArray();

    public Task PublishAsync(IReadOnlyList<UserAwareness> published)
    {
        foreach (var change in published)
        {
            changes.Enqueue(change);
        }

        return Task.CompletedTask;
    }
}
