using Microsoft.Extensions.Options;
using Talko.Core.Awareness;
using Talko.Core.Calls;
using Talko.Core.Ephemeral;

namespace Talko.Server.Features.Calls;

/// <summary>
/// <see cref="ICallAwareness"/>: projects the legs of calls owned here into awareness: each leg is a connection (<c>sip:{legId}</c>) of its user with
/// activity InCall (talking from the mixer, muted while on hold), and the call's talking users are a set with the claim's
/// lifetime, so they vanish with a dead owner.
/// </summary>
internal sealed class CallAwarenessProjection(AwarenessTracker awareness, IEphemeralStore store, KeySpace keys, IOptions<CallOwnershipOptions> ownership) : ICallAwareness
{
    public async Task JoinedAsync(LiveLeg leg)
    {
        await awareness.ConnectAsync(leg.AwarenessConnectionId, leg.UserId.ToString("D"), leg.DeviceId?.ToString("D"));
        await SetActivityAsync(leg);
    }

    public async Task LeftAsync(LiveLeg leg)
    {
        if (leg.Talking)
        {
            await store.SetRemoveAsync(keys.CallTalking(leg.CallId.ToString()), leg.UserId.ToString("D"));
        }

        await awareness.DisconnectAsync(leg.AwarenessConnectionId);
    }

    public async Task TalkingAsync(LiveLeg leg, bool userStillTalking)
    {
        var key = keys.CallTalking(leg.CallId.ToString());
        if (leg.Talking)
        {
            await store.SetAddAsync(key, leg.UserId.ToString("D"));
            await store.ExpireAsync(key, ownership.Value.ClaimTimeToLive);
        }
        else if (!userStillTalking)
        {
            await store.SetRemoveAsync(key, leg.UserId.ToString("D"));
        }

        await SetActivityAsync(leg);
    }

    public Task SetActivityAsync(LiveLeg leg) =>
        awareness.SetActivityAsync(leg.AwarenessConnectionId, Activity.InCall(leg.ConversationId.ToString("D"), leg.CallId.ToString(), leg.Muted, leg.Talking));

    public async Task HeartbeatAsync(IReadOnlyCollection<CallId> calls, IReadOnlyCollection<LiveLeg> legs)
    {
        foreach (var callId in calls)
        {
            await store.ExpireAsync(keys.CallTalking(callId.ToString()), ownership.Value.ClaimTimeToLive);
        }

        await Task.WhenAll(legs.Select(leg => awareness.HeartbeatAsync(leg.AwarenessConnectionId, TimeSpan.Zero)));
    }

    public Task ForgetCallAsync(CallId callId) => store.DeleteAsync(keys.CallTalking(callId.ToString()));
}
