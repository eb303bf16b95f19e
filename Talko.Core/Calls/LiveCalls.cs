using System.Collections.Concurrent;

namespace Talko.Core.Calls;

/// <summary>
/// The <see cref="LiveCall"/>s on this instance, by call id: delivers each message to its call's mailbox, creating the
/// call's object when the message may start one, and forgets a call once it has retired. The durable side reads the
/// recording offset of an owned call from here (exact, from memory).
/// </summary>
public sealed class LiveCalls(LiveCallContext context, TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<CallId, LiveCall> calls = new();
    private readonly CancellationTokenSource stopping = new();
    private volatile bool disposed;

    /// <summary>Calls this instance owns right now.</summary>
    public IReadOnlyCollection<Guid> OwnedIds => [.. calls.Values.Where(c => c.IsOwned).Select(c => c.Id.Value)];

    /// <summary>Offset into the whole recording now; null if this instance does not own the call.</summary>
    public long? CurrentOffsetMs(Guid callId) =>
        calls.TryGetValue(new CallId(callId), out var call) && call.IsOwned ? call.OffsetAt(time.GetUtcNow()) : null;

    internal bool IsOwned(CallId callId) => calls.TryGetValue(callId, out var call) && call.IsOwned;

    internal IEnumerable<LiveCall> All => calls.Values;

    /// <summary>
    /// Posts <paramref name="message"/> to the call's mailbox. Without a live object for the call, one is created when
    /// <paramref name="start"/> (the message can make the call matter here), else the message is dropped (false).
    /// </summary>
    internal bool Post(CallId callId, LiveCallMessage message, bool start) =>
        Deliver(callId, start, call => call.Mailbox.TryPost(message));

    /// <summary>Posts a leg's talking state, coalesced with any still waiting (only to a call that is here).</summary>
    internal bool PostTalking(TalkingChanged talking) =>
        Deliver(talking.CallId, false, call => call.Mailbox.TryPostTalking(talking.LegId, talking.Talking));

    /// <summary>Posts a periodic message to every call here unless an equal one still waits in its mailbox.</summary>
    internal void PostToEach(LiveCallMessage message)
    {
        foreach (var call in calls.Values)
        {
            call.Mailbox.TryPostOnce(message);
        }
    }

    internal void Retired(LiveCall call) => calls.TryRemove(new KeyValuePair<CallId, LiveCall>(call.Id, call));

    private bool Deliver(CallId callId, bool start, Func<LiveCall, bool> post)
    {
        while (true)
        {
            if (!calls.TryGetValue(callId, out var call))
            {
                if (!start || disposed)
                {
                    return false;
                }

                var fresh = new LiveCall(callId, context, this, stopping.Token);
                if (!calls.TryAdd(callId, fresh))
                {
                    continue;
                }

                fresh.Start();
                call = fresh;
            }

            if (post(call))
            {
                return true;
            }

            // It retired between the lookup and the post: it was idle, so a new one starts from scratch.
            calls.TryRemove(new KeyValuePair<CallId, LiveCall>(callId, call));
            if (!start)
            {
                return false;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        // No new calls from here; the running ones handle what waits in their mailboxes (a segment being stored), then
        // whatever still waits on devices or the database is cancelled.
        var running = calls.Values.ToList();
        foreach (var call in running)
        {
            call.Mailbox.Close();
        }

        await Task.WhenAll(running.Select(c => c.Completion)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await stopping.CancelAsync();
    }
}
