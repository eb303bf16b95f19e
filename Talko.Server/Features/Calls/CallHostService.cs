using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Server.Sip;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The calls heartbeat of this instance: tells every call here to renew its claim, adopts live calls whose owner died
/// (so they end, or continue, without waiting for someone to join), and hands commands from any instance to the host.
/// </summary>
internal sealed class CallHostService(
    CallHost host,
    ICallBookkeeping bookkeeping,
    CallOwnership ownership,
    InstanceLifecycle lifecycle,
    RunningSipEngine sip,
    CallCommandBus commands,
    SegmentStoredSignals segmentsStored,
    IOptions<CallsOptions> options,
    IOptions<CallOwnershipOptions> ownershipOptions,
    TimeProvider time,
    ILogger<CallHostService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var subscription = await commands.SubscribeAsync(OnCommandAsync, OnUnreadableCommand);
        var lastSweep = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(options.Value.RenewInterval, time);
        do
        {
            try
            {
                host.Renew();
                if (time.GetUtcNow() - lastSweep >= options.Value.SweepInterval)
                {
                    lastSweep = time.GetUtcNow();
                    await SweepAsync(stoppingToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                CallsLog.LoopFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// Live calls nobody owns had an owner that died: adopt them here (not while draining, not without SIP). Calls
    /// another instance claimed for this one (a draining instance placing a new call, a drain move) are adopted too,
    /// so their claim is renewed even before anyone joins.
    /// </summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (sip.SipAddress is null)
        {
            return;
        }

        var live = await bookkeeping.ListLiveAsync(1000, cancellationToken);
        // A call younger than a claim's lifetime with no owner is most likely being placed by the instance that started it
        // (the row is written before the claim): taking it would steal the call, not heal it. A dead starter's call is
        // adopted one lifetime later, when it would have been anyway.
        var placing = time.GetUtcNow().UtcDateTime - ownershipOptions.Value.ClaimTimeToLive;
        var owned = host.OwnedCalls;
        foreach (var (callId, startedAt) in live.Where(c => !owned.Contains(c.CallId.Value)))
        {
            var owner = await ownership.FindOwnerAsync(callId.ToString());
            if (owner == lifecycle.InstanceId
                || (owner is null && !lifecycle.IsDraining && startedAt < placing
                    && await ownership.ClaimOrFindOwnerAsync(callId.ToString(), lifecycle.InstanceId) == lifecycle.InstanceId))
            {
                // In the background: an adoption may wait for a live previous owner (ADR 0610), and this loop renews claims.
                _ = AdoptAsync(callId, cancellationToken);
            }
        }
    }

    private async Task AdoptAsync(CallId callId, CancellationToken cancellationToken)
    {
        try
        {
            await host.EnsureOwnedAsync(callId.Value, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the claim lapses and another instance adopts the call.
        }
        catch (Exception exception)
        {
            CallsLog.BookkeepingFailed(logger, callId.ToString(), exception);
        }
    }

    private Task OnCommandAsync(CallCommand command)
    {
        if (command is SegmentStored)
        {
            segmentsStored.Stored(command.CallId);
        }
        else
        {
            host.OnCommand(command);
        }

        return Task.CompletedTask;
    }

    private void OnUnreadableCommand(string message) => CallsLog.BadCommand(logger, message.Length > 200 ? message[..200] : message);
}
