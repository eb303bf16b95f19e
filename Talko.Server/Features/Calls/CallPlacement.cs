using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Server.Sip;

namespace Talko.Server.Features.Calls;

/// <summary>Where a live call runs: its owner and the SIP address that reaches it; or why it cannot run now.</summary>
public sealed record CallLocation(string? OwnerInstanceId, string? SipAddress, TimeSpan? RetryAfter)
{
    public bool Found => OwnerInstanceId is not null && SipAddress is not null;
}

/// <summary>
/// Finds or chooses the owner of a live call (ADR 0601). The current owner if it is alive; otherwise this instance
/// claims it, unless draining, in which case another serving instance is claimed for (it adopts the call on the first
/// INVITE or its sweep). A claim whose owner is gone (out of the registry, or its process no longer holds its liveness
/// subscription) is taken from it at once, so a join never points at a dead owner (ADR 0205).
/// </summary>
public sealed class CallPlacement(
    CallOwnership ownership,
    InstanceRegistry registry,
    InstanceLiveness liveness,
    InstanceLifecycle lifecycle,
    CallHost host,
    RunningSipEngine sip,
    IOptions<CallOwnershipOptions> ownershipOptions)
{
    public static string ConferenceUri(Guid callId, string sipAddress) => CallSipUri.At(new CallId(callId), sipAddress);

    /// <summary>Null result fields with a retry time: nobody can take the call right now.</summary>
    public async Task<CallLocation> LocateAsync(Guid callId, CancellationToken cancellationToken)
    {
        var self = lifecycle.InstanceId;
        var ownSip = sip.SipAddress;
        var key = callId.ToString();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var owner = await ownership.FindOwnerAsync(key);
            if (owner is null)
            {
                if (!lifecycle.IsDraining && ownSip is not null)
                {
                    owner = await ownership.ClaimOrFindOwnerAsync(key, self);
                }
                else if (await PickServingAsync(self) is { } other)
                {
                    owner = await ownership.ClaimOrFindOwnerAsync(key, other.Id);
                }
                else
                {
                    return new CallLocation(null, null, ownershipOptions.Value.ClaimTimeToLive);
                }
            }

            if (owner == self)
            {
                if (ownSip is null)
                {
                    await ownership.ReleaseAsync(key, self);
                    return new CallLocation(null, null, ownershipOptions.Value.ClaimTimeToLive);
                }

                if (!await host.EnsureOwnedAsync(callId, cancellationToken))
                {
                    return new CallLocation(null, null, null);
                }

                return new CallLocation(self, ownSip, null);
            }

            var alive = await liveness.FindAliveAsync(owner);
            if (alive is { SipAddress.Length: > 0 })
            {
                return new CallLocation(owner, alive.SipAddress, null);
            }

            if (alive is not null)
            {
                // Alive but its SIP engine has not bound yet: moments.
                return new CallLocation(null, null, ownershipOptions.Value.ClaimTimeToLive);
            }

            // The owner is gone but its claim has not lapsed: take it from that owner only, and claim on the next round.
            await ownership.ForgetDeadOwnerAsync(key, owner);
        }

        return new CallLocation(null, null, ownershipOptions.Value.ClaimTimeToLive);
    }

    /// <summary>
    /// Null when a new call can be placed now: this instance serves with SIP, or it drains and another instance serves
    /// with SIP. Otherwise how long to wait (a draining instance with nowhere to send a new call refuses it).
    /// </summary>
    public async Task<TimeSpan?> NewCallRetryAfterAsync() =>
        !lifecycle.IsDraining || await PickServingAsync(lifecycle.InstanceId) is not null ? null : ownershipOptions.Value.ClaimTimeToLive;

    private async Task<InstanceDescriptor?> PickServingAsync(string self) =>
        (await registry.ListAsync())
            .Where(i => i.Id != self && i.State == InstanceState.Serving && i.SipAddress.Length > 0)
            .OrderBy(i => i.Load.LiveCalls)
            .FirstOrDefault();
}
