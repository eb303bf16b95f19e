using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Sip;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The calls heartbeat of this instance: renews its claims, adopts live calls whose owner died (so they end, or
/// continue, without waiting for someone to join), and acts on end/leave commands from any instance.
/// </summary>
internal sealed class CallHostService(
    CallHost host,
    CallOwnership ownership,
    InstanceLifecycle lifecycle,
    RunningSipEngine sip,
    CallCommandBus commands,
    IServiceScopeFactory scopes,
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
                await host.RenewAsync(stoppingToken);
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

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var live = await db.Set<Call>().AsNoTracking().Where(c => c.EndedAt == null).OrderBy(c => c.StartedAt).Select(c => new { c.Id, c.StartedAt }).Take(1000).ToListAsync(cancellationToken);
        // A call younger than a claim's lifetime with no owner is most likely being placed by the instance that started it
        // (the row is written before the claim): taking it would steal the call, not heal it. A dead starter's call is
        // adopted one lifetime later, when it would have been anyway.
        var placing = time.GetUtcNow().UtcDateTime - ownershipOptions.Value.ClaimTimeToLive;
        foreach (var (callId, startedAt) in live.Where(c => !host.OwnedCalls.Contains(c.Id)).Select(c => (c.Id, c.StartedAt)))
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

    private async Task AdoptAsync(Guid callId, CancellationToken cancellationToken)
    {
        try
        {
            await host.EnsureOwnedAsync(callId, cancellationToken);
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

    private async Task OnCommandAsync(CallCommand command)
    {
        switch (command)
        {
            case EndCall end:
                await host.OnCallEndedAsync(end.CallId.Value);
                break;
            case LeaveCall leave:
                await host.OnLeaveAsync(leave.CallId.Value, leave.UserId, leave.DeviceId);
                break;
            case RingMembers ring:
                // Every instance hears it; the owner (claimed for by the instance that started the call) adopts and rings.
                try
                {
                    if (await ownership.FindOwnerAsync(ring.CallId.ToString()) == lifecycle.InstanceId
                        && await host.EnsureOwnedAsync(ring.CallId.Value, CancellationToken.None))
                    {
                        host.Ring(ring.CallId.Value, ring.UserIds);
                    }
                }
                catch (Exception exception)
                {
                    CallsLog.BookkeepingFailed(logger, ring.CallId.ToString(), exception);
                }

                break;
            case RingBack back:
                await host.OnRingBackAsync(back);
                break;
        }
    }

    private void OnUnreadableCommand(string message) => CallsLog.BadCommand(logger, message.Length > 200 ? message[..200] : message);
}
