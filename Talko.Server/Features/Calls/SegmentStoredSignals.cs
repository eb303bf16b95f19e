using Talko.Core.Calls;

namespace Talko.Server.Features.Calls;

/// <summary>
/// Wakes adopters waiting for a previous owner to store its segment of a call (<see cref="SegmentStored"/>, heard from
/// any instance). A waiter watches before it looks at the database, so news that arrives between the look and the wait
/// still wakes it; news with nobody watching is dropped (a later adopter finds the segment stored when it looks).
/// </summary>
public sealed class SegmentStoredSignals
{
    private readonly Lock gate = new();
    private readonly Dictionary<CallId, List<TaskCompletionSource>> watching = [];

    /// <summary>A watch that completes at the next <see cref="SegmentStored"/> of <paramref name="callId"/>; dispose it when done.</summary>
    public Watch Start(CallId callId)
    {
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (!watching.TryGetValue(callId, out var list))
            {
                watching[callId] = list = [];
            }

            list.Add(stored);
        }

        return new Watch(this, callId, stored);
    }

    /// <summary>Some instance stored its segment of <paramref name="callId"/>: every watch of it completes.</summary>
    public void Stored(CallId callId)
    {
        List<TaskCompletionSource>? woken;
        lock (gate)
        {
            watching.Remove(callId, out woken);
        }

        foreach (var stored in woken ?? [])
        {
            stored.TrySetResult();
        }
    }

    /// <summary>How many calls have a watch (so tests can see none is left behind).</summary>
    public int WatchedCalls
    {
        get
        {
            lock (gate)
            {
                return watching.Count;
            }
        }
    }

    private void Stop(CallId callId, TaskCompletionSource stored)
    {
        lock (gate)
        {
            if (watching.TryGetValue(callId, out var list) && list.Remove(stored) && list.Count == 0)
            {
                watching.Remove(callId);
            }
        }
    }

    /// <summary>One waiter's watch of one call.</summary>
    public sealed class Watch(SegmentStoredSignals signals, CallId callId, TaskCompletionSource stored) : IDisposable
    {
        /// <summary>Completes when a segment of the call is stored after the watch started.</summary>
        public Task Stored => stored.Task;

        public void Dispose() => signals.Stop(callId, stored);
    }
}
