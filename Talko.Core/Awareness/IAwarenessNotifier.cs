namespace Talko.Core.Awareness;

/// <summary>Tells watchers about aggregates that changed. Implemented by the realtime hub; must not throw for one bad watcher.</summary>
public interface IAwarenessNotifier
{
    Task PublishAsync(IReadOnlyList<UserAwareness> changes);
}
