using Talko.Core.Sip.Conferencing;

namespace Talko.Core.Calls;

/// <summary>
/// The calls on this instance, seen from outside: reads the engines' <see cref="CallEvent"/>s in order and posts each
/// to its call's mailbox (<see cref="LiveCall"/>), and turns adoption, commands, heartbeats and drain moves into
/// messages for the calls they concern. It keeps no state of any call itself.
/// </summary>
public sealed class CallHost : IAsyncDisposable
{
    private readonly LiveCalls calls;
    private readonly CallEventSink events;
    private readonly LiveCallContext context;
    private readonly Task pump;

    public CallHost(LiveCalls calls, CallEventSink events, LiveCallContext context)
    {
        this.calls = calls;
        this.events = events;
        this.context = context;
        pump = Task.Run(PumpAsync);
    }

    public string InstanceId => context.InstanceId;

    /// <summary>Calls this instance owns right now.</summary>
    public IReadOnlyCollection<Guid> OwnedCalls => calls.OwnedIds;

    /// <summary>
    /// Makes sure this instance, which holds the claim, also keeps the call: adopts it (closing a dead owner's segment
    /// and telling clients to rejoin) the first time. False when the call is not live (the claim is released).
    /// </summary>
    public async Task<bool> EnsureOwnedAsync(Guid callId, CancellationToken cancellationToken)
    {
        var id = new CallId(callId);
        if (calls.IsOwned(id))
        {
            return true;
        }

        var adopted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return calls.Post(id, new Adopt(adopted), start: true) && await adopted.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// For blue/green past a drain deadline: hands a call to another serving instance. The claim is moved to
    /// <paramref name="targetInstanceId"/> (the registry's SIP address goes to clients in a <c>callMoved</c> event), then
    /// each SIP leg here is referred there so this segment closes as they leave; devices rejoin there and recording
    /// continues in a new segment. False when this instance does not own the call.
    /// </summary>
    public async Task<bool> MoveAwayAsync(Guid callId, string targetInstanceId, string targetSipAddress, ConferenceTransferTimings transfer, CancellationToken cancellationToken = default)
    {
        var moved = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return calls.Post(new CallId(callId), new MoveAway(targetInstanceId, targetSipAddress, transfer, moved, cancellationToken), start: false)
            && await moved.Task;
    }

    /// <summary>
    /// A command from any instance. End and leave reach every instance that has legs of the call (a call moved away
    /// may still have some here); ringing is done by the owner, which adopts the call first.
    /// </summary>
    public void OnCommand(CallCommand command)
    {
        switch (command)
        {
            case EndCall or LeaveCall:
                if (!calls.Post(command.CallId, new Commanded(command), start: false))
                {
                    HangUpUnknownLegs(command);
                }

                break;
            case RingMembers or RingBack:
                // Every instance hears it; the owner (claimed for by the instance that started the call, or the new
                // owner of a moved one) adopts the call and rings: two messages in a row, which the call handles in order.
                _ = RingAsOwnerAsync(command);
                break;
        }
    }

    private async Task RingAsOwnerAsync(CallCommand command)
    {
        try
        {
            if ((command is RingBack && !context.SipRunning) || await context.Ownership.FindOwnerAsync(command.CallId.ToString()) != InstanceId)
            {
                return;
            }

            if (!calls.IsOwned(command.CallId))
            {
                calls.Post(command.CallId, new Adopt(null), start: true);
            }

            calls.Post(command.CallId, new Commanded(command), start: false);
        }
        catch (Exception exception)
        {
            LiveCallLog.BookkeepingFailed(context.Logger, command.CallId.ToString(), exception);
        }
    }

    /// <summary>A leg of the call here was muted or unmuted: its awareness shows it now rather than at the next heartbeat.</summary>
    public void HoldChanged(CallId callId) => calls.Post(callId, global::Talko.Core.Calls.HoldChanged.Instance, start: false);

    /// <summary>Heartbeat: every call here renews its claim and its legs' awareness, on its own loop.</summary>
    public void Renew() => calls.PostToEach(Heartbeat.Instance);

    /// <summary>Every call here reads its legs' quality into its view (ADR 0901).</summary>
    public void ReportQuality() => calls.PostToEach(QualityDue.Instance);

    /// <summary>
    /// Legs of a call with no live object here (an unanswered ring of a call that was never owned here, say) are hung up
    /// straight away: there is no state of theirs to keep.
    /// </summary>
    private void HangUpUnknownLegs(CallCommand command)
    {
        var legs = context.Conferences.LegsOf(command.CallId)
            .Where(leg => command is not LeaveCall leave || (leg.UserId == leave.UserId && (leave.DeviceId is null || leg.DeviceId == leave.DeviceId)));
        foreach (var leg in legs)
        {
            _ = HangUpAsync(command.CallId, leg.LegId);
        }
    }

    private async Task HangUpAsync(CallId callId, LegId legId)
    {
        try
        {
            await context.Conferences.HangUpAsync(callId, legId);
        }
        catch (Exception exception)
        {
            LiveCallLog.BookkeepingFailed(context.Logger, callId.ToString(), exception);
        }
    }

    /// <summary>Reads the engines' events, in order, and posts each to its call (talker flips coalesced per leg).</summary>
    private async Task PumpAsync()
    {
        await foreach (var happened in events.Reader.ReadAllAsync())
        {
            try
            {
                _ = happened switch
                {
                    TalkingChanged talking => calls.PostTalking(talking),
                    // A segment closing must be stored even when its call has retired here (ended or moved away).
                    SegmentClosed => calls.Post(happened.CallId, new EngineReported(happened), start: true),
                    // Joins and segment openings matter only to a call this instance owns, which has its object.
                    _ => calls.Post(happened.CallId, new EngineReported(happened), start: false),
                };
            }
            catch (Exception exception)
            {
                LiveCallLog.BookkeepingFailed(context.Logger, happened.CallId.ToString(), exception);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        events.Complete();
        await pump.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
