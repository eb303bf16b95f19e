using Microsoft.EntityFrameworkCore;
using Talko.Core.Calls;
using Talko.Core.Sip;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Messages;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;

namespace Talko.Server.Features.Calls;

/// <summary>
/// Handing a moved call's SIP legs to the new owner (ADR 0710): each device is referred there (RFC 3515 blind
/// transfer); one that refuses is hung up here and, when it has a registered binding, rung from the new owner.
/// </summary>
public sealed partial class CallHost
{
    /// <summary>Refers every SIP leg of the call here to the new owner, all at once, and returns when none is left.</summary>
    private async Task HandOverLegsAsync(Guid callId, string newOwner, string targetSipAddress, ConferenceTransferTimings timings, CancellationToken cancellationToken)
    {
        if (Sip.Engine is not { } engine)
        {
            return;
        }

        var target = SipUri.Parse(CallPlacement.ConferenceUri(callId, targetSipAddress));
        var conference = callId.ToString();
        var here = engine.Conferences.Calls.Where(c => c.ConferenceId == conference).ToList();
        using var handingOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keepClaim = KeepClaimForAsync(callId, newOwner, handingOver.Token);
        try
        {
            await Task.WhenAll(here.Select(call => HandOverAsync(engine, call, callId, newOwner, target, timings, cancellationToken)));
        }
        finally
        {
            await handingOver.CancelAsync();
            await keepClaim;
        }

        await SettleAsync(callId, SettleLimit);
    }

    /// <summary>How long a moved call's bookkeeping here may take, in all, before the drain goes on without it.</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Once the legs have left: lets this instance finish its bookkeeping of the call (participants left, its segment
    /// closed and stored) before the drain may stop the process, which would cut that work off.
    /// </summary>
    private async Task SettleAsync(Guid callId, TimeSpan limit)
    {
        var started = time.GetTimestamp();
        try
        {
            while (time.GetElapsedTime(started) < limit)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
                if (!await db.Set<RecordingSegment>().AnyAsync(s => s.CallId == callId && s.InstanceId == InstanceId && s.State == SegmentState.Recording))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), time);
            }

            // The work queue runs in order: once this runs, every leave queued before it has been recorded.
            var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Enqueue(callId.ToString(), () =>
            {
                flushed.TrySetResult();
                return Task.CompletedTask;
            });
            var left = limit - time.GetElapsedTime(started);
            await flushed.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, time);
        }
        catch (TimeoutException)
        {
            // Whatever is left is the new owner's to tidy when it adopts the call (ADR 0601).
        }
    }

    /// <summary>
    /// The new owner renews its claim only once a leg reaches it and it adopts the call; until then (transfers can take
    /// longer than the claim lives) this instance renews the claim on its behalf so that no sweep takes the call elsewhere.
    /// </summary>
    private async Task KeepClaimForAsync(Guid callId, string newOwner, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.Value.RenewInterval, time, cancellationToken);
                await ownership.RenewAsync(callId.ToString(), newOwner);
            }
        }
        catch (OperationCanceledException)
        {
            // The hand-over is over; the new owner (or a sweep, if nobody reached it) holds the claim from here.
        }
    }

    private async Task HandOverAsync(SipEngine engine, ConferenceCall call, Guid callId, string newOwner, SipUri target, ConferenceTransferTimings timings, CancellationToken cancellationToken)
    {
        ConferenceTransferResult result;
        try
        {
            result = await engine.Conferences.TransferAsync(call, target, timings, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            CallHandoverLog.TransferFailed(logger, callId, call.Leg.LegId, exception);
            result = new ConferenceTransferResult(ConferenceTransferOutcome.Refused, 0, null);
        }

        CallHandoverLog.Transferred(logger, callId, call.Leg.LegId, newOwner, result.Outcome, result.ReferStatus);
        if (result.Outcome != ConferenceTransferOutcome.Refused)
        {
            return;
        }

        // The device stays where it is unless told otherwise; this instance is leaving, so end its leg here first.
        await engine.Conferences.HangUpAsync(call);
        var (userId, deviceId) = legs.TryGetValue(call.Leg.LegId, out var leg) ? (leg.UserId, leg.DeviceId)
            : Guid.TryParse(call.Caller?.UserId, out var caller) ? (caller, Guid.TryParse(call.Caller?.DeviceId, out var d) ? d : (Guid?)null)
            : (Guid.Empty, null);
        var reachable = userId != Guid.Empty
            && (await engine.Bindings.GetByUserAsync(userId.ToString("D"), cancellationToken)).Any(b => deviceId is null || b.DeviceId == deviceId.Value.ToString("D"));
        if (reachable)
        {
            await commands.PublishAsync(new RingBack(new CallId(callId), userId, deviceId));
        }

        CallHandoverLog.FellBack(logger, callId, call.Leg.LegId, reachable ? "re-invited from the new owner" : "hung up; the app rejoins through callMoved");
    }

    /// <summary>
    /// A <see cref="RingBack"/> command: if this instance holds the call's claim, it adopts the call and rings the
    /// user's device (all of their devices without one) unless it is back in the call already, in the background;
    /// the gap since the move is logged on answer.
    /// </summary>
    internal async Task OnRingCommandAsync(Guid callId, Guid userId, Guid? deviceId)
    {
        if (Sip.Engine is not { } engine || await ownership.FindOwnerAsync(callId.ToString()) != InstanceId)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                if (!await EnsureOwnedAsync(callId, CancellationToken.None))
                {
                    return;
                }

                // An app that heard callMoved may have rejoined by itself meanwhile: do not ring a device that is back.
                var conference = callId.ToString();
                var back = engine.Conferences.Calls.Where(c => c.ConferenceId == conference && string.Equals(c.Caller?.UserId, userId.ToString("D"), StringComparison.OrdinalIgnoreCase))
                    .Select(c => c.Caller!.DeviceId).ToHashSet(StringComparer.OrdinalIgnoreCase);
                await RingUserAsync(engine, callId, userId, b => (deviceId is null || b.DeviceId == deviceId.Value.ToString("D")) && !back.Contains(b.DeviceId), afterMove: true);
            }
            catch (Exception exception)
            {
                CallsLog.BookkeepingFailed(logger, callId.ToString(), exception);
            }
        });
    }
}
