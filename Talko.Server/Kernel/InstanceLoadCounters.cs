using Talko.Core.Instances;

namespace Talko.Server.Kernel;

/// <summary>Live work counted by the features that carry it, reported with each heartbeat.</summary>
public sealed class InstanceLoadCounters
{
    private int realtimeConnections;
    private int liveCalls;

    public InstanceLoad Snapshot => new(Volatile.Read(ref realtimeConnections), Volatile.Read(ref liveCalls));

    public void RealtimeConnectionOpened() => Interlocked.Increment(ref realtimeConnections);

    public void RealtimeConnectionClosed() => Interlocked.Decrement(ref realtimeConnections);

    public void CallStarted() => Interlocked.Increment(ref liveCalls);

    public void CallEnded() => Interlocked.Decrement(ref liveCalls);
}
