using Talko.Core.Sip.Conferencing;

namespace Talko.Core.Calls;

/// <summary>
/// Handing the call to another instance (blue/green past a drain deadline, ADR 0710): the loop moves the claim and
/// tells clients; each SIP leg here is then referred there beside the loop (RFC 3515 blind transfer), and a device that
/// refuses is hung up here and, when it has a registered binding, rung from the new owner.
/// </summary>
public sealed partial class LiveCall
{
    /// <summary>How long a moved call's bookkeeping here may take, in all, before the drain goes on without it.</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(5);

    private async Task MoveAwayAsync(MoveAway move)
    {
        if (!owned)
        {
            move.Done.TrySetResult(false);
            return;
        }

        try
        {
            owned = false;
            context.Instance.CallEnded();
            await context.Ownership.ReleaseAsync(Id.ToString(), context.InstanceId);
            var newOwner = await context.Ownership.ClaimOrFindOwnerAsync(Id.ToString(), move.TargetInstanceId);
            // The new owner reads this when each participant's leg joins there, to log the audio gap they suffered;
            // it is set before clients hear callMoved so that a quick rejoin still finds it.
            await context.Records.SetMovedAtAsync(Id, context.Time.GetUtcNow());
            var target = CallSipUri.At(Id, move.TargetSipAddress);
            await context.Announcer.MovedAsync(Id, ConversationId, newOwner, target, move.CancellationToken);

            // Set before the legs leave, so the close of this instance's segment cannot slip past the wait.
            segmentStored = segmentOpen ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
            var handover = new Handover(this, newOwner, target, move.Timings, segmentStored?.Task ?? Task.CompletedTask,
                legs.Values.ToDictionary(l => l.LegId, l => (l.UserId, l.DeviceId)), move.CancellationToken);
            _ = Beside(async () =>
            {
                try
                {
                    await handover.RunAsync();
                    move.Done.TrySetResult(true);
                }
                catch (Exception exception)
                {
                    move.Done.TrySetException(exception);
                }
            });
        }
        catch (Exception exception)
        {
            move.Done.TrySetException(exception);
        }
    }

    /// <summary>One move of this call's legs to the new owner, run beside the call's loop (whose mailbox gets their leaves).</summary>
    private sealed class Handover(
        LiveCall call,
        string newOwner,
        string target,
        ConferenceTransferTimings timings,
        Task segmentStored,
        IReadOnlyDictionary<LegId, (Guid UserId, Guid? DeviceId)> parties,
        CancellationToken cancellationToken)
    {
        private LiveCallContext Context => call.context;

        private CallId Id => call.Id;

        /// <summary>Refers every SIP leg of the call here to the new owner, all at once, and returns when none is left.</summary>
        public async Task RunAsync()
        {
            var here = Context.Conferences.LegsOf(Id);
            using var handingOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var keepClaim = KeepClaimAsync(handingOver.Token);
            try
            {
                await Task.WhenAll(here.Select(HandOverAsync));
            }
            finally
            {
                await handingOver.CancelAsync();
                await keepClaim;
            }

            await SettleAsync();
        }

        /// <summary>
        /// Once the legs have left: lets this instance finish its bookkeeping of the call (participants left, its segment
        /// closed and stored) before the drain may stop the process, which would cut that work off.
        /// </summary>
        private async Task SettleAsync()
        {
            var time = Context.Time;
            var started = time.GetTimestamp();
            try
            {
                await segmentStored.WaitAsync(SettleLimit, time);
                // The mailbox runs in order: once the flush is handled, every leave posted before it has been recorded.
                // A call that has retired meanwhile had nothing left to record.
                var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (call.Mailbox.TryPost(new Flush(flushed)))
                {
                    var left = SettleLimit - time.GetElapsedTime(started);
                    await flushed.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, time);
                }
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
        private async Task KeepClaimAsync(CancellationToken stop)
        {
            try
            {
                using var renewal = new PeriodicTimer(Context.Options.RenewInterval, Context.Time);
                while (await renewal.WaitForNextTickAsync(stop))
                {
                    await Context.Ownership.RenewAsync(Id.ToString(), newOwner);
                }
            }
            catch (OperationCanceledException)
            {
                // The hand-over is over; the new owner (or a sweep, if nobody reached it) holds the claim from here.
            }
        }

        private async Task HandOverAsync(ConferenceLeg leg)
        {
            ConferenceTransferResult result;
            try
            {
                result = await Context.Conferences.TransferAsync(Id, leg.LegId, target, timings, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                CallHandoverLog.TransferFailed(Context.Logger, Id.Value, leg.LegId, exception);
                result = new ConferenceTransferResult(ConferenceTransferOutcome.Refused, 0, null);
            }

            CallHandoverLog.Transferred(Context.Logger, Id.Value, leg.LegId, newOwner, result.Outcome, result.ReferStatus);
            if (result.Outcome != ConferenceTransferOutcome.Refused)
            {
                return;
            }

            // The device stays where it is unless told otherwise; this instance is leaving, so end its leg here first.
            await Context.Conferences.HangUpAsync(Id, leg.LegId);
            var (userId, deviceId) = parties.TryGetValue(leg.LegId, out var known) ? known : (leg.UserId ?? Guid.Empty, leg.DeviceId);
            var reachable = userId != Guid.Empty && await Context.Conferences.CanRingAsync(userId, deviceId, cancellationToken);
            if (reachable)
            {
                await Context.Commands.PublishAsync(new RingBack(Id, userId, deviceId));
            }

            CallHandoverLog.FellBack(Context.Logger, Id.Value, leg.LegId, reachable ? "re-invited from the new owner" : "hung up; the app rejoins through callMoved");
        }
    }
}
