using Talko.Core.Calls;
using Talko.Core.Sip.Conferencing;

namespace Talko.Server.Features.Calls;

/// <summary>
/// Handing a moved call's SIP legs to the new owner (ADR 0710): each device is referred there (RFC 3515 blind
/// transfer); one that refuses is hung up here and, when it has a registered binding, rung from the new owner.
/// </summary>
public sealed partial class CallHost
{
    /// <summary>How long a moved call's bookkeeping here may take, in all, before the drain goes on without it.</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(5);

    /// <summary>Refers every SIP leg of the call here to the new owner, all at once, and returns when none is left.</summary>
    private async Task HandOverLegsAsync(CallId callId, string newOwner, string targetSipAddress, ConferenceTransferTimings timings, CancellationToken cancellationToken)
    {
        var target = CallPlacement.ConferenceUri(callId.Value, targetSipAddress);
        var here = conferences.LegsOf(callId);
        // Registered before the legs leave, so the close of this instance's segment cannot slip past the wait.
        var segmentStored = closings.NextAsync(callId);
        using var handingOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keepClaim = KeepClaimForAsync(callId, newOwner, handingOver.Token);
        try
        {
            await Task.WhenAll(here.Select(leg => HandOverAsync(leg, callId, newOwner, target, timings, cancellationToken)));
        }
        finally
        {
            await handingOver.CancelAsync();
            await keepClaim;
        }

        await SettleAsync(callId, segmentStored, SettleLimit);
    }

    /// <summary>
    /// Once the legs have left: lets this instance finish its bookkeeping of the call (participants left, its segment
    /// closed and stored) before the drain may stop the process, which would cut that work off.
    /// </summary>
    private async Task SettleAsync(CallId callId, Task segmentStored, TimeSpan limit)
    {
        var started = time.GetTimestamp();
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                if (await scope.ServiceProvider.GetRequiredService<CallRecordingArchive>().IsOpenHereAsync(callId))
                {
                    await segmentStored.WaitAsync(limit, time);
                }
            }

            // The call's lane runs in order: once this runs, every leave queued before it has been recorded.
            var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Enqueue(callId, () =>
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
        finally
        {
            closings.Forget(callId);
        }
    }

    /// <summary>
    /// The new owner renews its claim only once a leg reaches it and it adopts the call; until then (transfers can take
    /// longer than the claim lives) this instance renews the claim on its behalf so that no sweep takes the call elsewhere.
    /// </summary>
    private async Task KeepClaimForAsync(CallId callId, string newOwner, CancellationToken cancellationToken)
    {
        try
        {
            using var renewal = new PeriodicTimer(options.Value.RenewInterval, time);
            while (await renewal.WaitForNextTickAsync(cancellationToken))
            {
                await ownership.RenewAsync(callId.ToString(), newOwner);
            }
        }
        catch (OperationCanceledException)
        {
            // The hand-over is over; the new owner (or a sweep, if nobody reached it) holds the claim from here.
        }
    }

    private async Task HandOverAsync(ConferenceLeg leg, CallId callId, string newOwner, string target, ConferenceTransferTimings timings, CancellationToken cancellationToken)
    {
        ConferenceTransferResult result;
        try
        {
            result = await conferences.TransferAsync(callId, leg.LegId, target, timings, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            CallHandoverLog.TransferFailed(logger, callId.Value, leg.LegId, exception);
            result = new ConferenceTransferResult(ConferenceTransferOutcome.Refused, 0, null);
        }

        CallHandoverLog.Transferred(logger, callId.Value, leg.LegId, newOwner, result.Outcome, result.ReferStatus);
        if (result.Outcome != ConferenceTransferOutcome.Refused)
        {
            return;
        }

        // The device stays where it is unless told otherwise; this instance is leaving, so end its leg here first.
        await conferences.HangUpAsync(callId, leg.LegId);
        var (userId, deviceId) = legs.TryGetValue(leg.LegId, out var known) ? (known.UserId, known.DeviceId) : (leg.UserId ?? Guid.Empty, leg.DeviceId);
        var reachable = userId != Guid.Empty && await conferences.CanRingAsync(userId, deviceId, cancellationToken);
        if (reachable)
        {
            await commands.PublishAsync(new RingBack(callId, userId, deviceId));
        }

        CallHandoverLog.FellBack(logger, callId.Value, leg.LegId, reachable ? "re-invited from the new owner" : "hung up; the app rejoins through callMoved");
    }

    /// <summary>
    /// A <see cref="RingBack"/> command: if this instance holds the call's claim, it adopts the call and rings the
    /// user's device (all of their devices without one) unless it is back in the call already, in the background;
    /// the gap since the move is logged when it joins.
    /// </summary>
    internal async Task OnRingBackAsync(RingBack command)
    {
        if (sip.Engine is null || await ownership.FindOwnerAsync(command.CallId.ToString()) != InstanceId)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                if (!await EnsureOwnedAsync(command.CallId.Value, CancellationToken.None))
                {
                    return;
                }

                // An app that heard callMoved may have rejoined by itself meanwhile: do not ring a device that is back.
                var back = conferences.LegsOf(command.CallId).Where(l => l.UserId == command.UserId).Select(l => l.DeviceId).ToHashSet();
                await RingUserAsync(command.CallId, command.UserId, device => (command.DeviceId is null || device == command.DeviceId) && !back.Contains(device));
            }
            catch (Exception exception)
            {
                CallsLog.BookkeepingFailed(logger, command.CallId.ToString(), exception);
            }
        });
    }
}
