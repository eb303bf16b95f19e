using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Core.Media.Engine;
using Talko.Core.Media.WebRtc.Sdp;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.WebRtc;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The hub's call methods (ADR 0721) with the REST join's rules: the caller must be a member of the call's
/// conversation (otherwise the call does not exist for them) and the call must be live. The leg is made on the call's
/// owner: here, or relayed there when this instance does not own the call (ADR 0724), with the offer checked here
/// first. Every refusal is a <see cref="HubException"/> whose message starts with a stable code, and is logged.
/// </summary>
public sealed class WebRtcCallJoin(
    TalkoDbContext db, CallPlacement placement, InstanceLifecycle lifecycle, WebRtcCallLegs legs, WebRtcLegRelay relay, CallHost host, IOptions<MediaEngineOptions> options)
{
    public async Task<string> JoinAsync(Guid callId, Guid userId, Guid? deviceId, string connectionId, string? sdpOffer, CancellationToken cancellationToken)
    {
        var call = await FindAsync(callId, userId, cancellationToken);
        if (call.EndedAt is not null)
        {
            throw Refuse("call_ended", "The call has ended; its recording can be played.");
        }

        try
        {
            // Checked here whichever instance makes the leg: a bad offer costs no relay, and only a bounded one travels.
            WebRtcSdpOffer.Parse(sdpOffer, options.Value.WebRtc.MaxOfferLength);
        }
        catch (WebRtcSdpException exception)
        {
            throw Refuse(exception.Code, exception.Message);
        }

        var location = await placement.LocateAsync(callId, cancellationToken);
        if (!location.Found)
        {
            throw WebRtcRefusal.Unavailable.ToHubException();
        }

        // A connection with a leg in the call on another instance than the owner now (the client rejoins after
        // callMoved) keeps it until the new one is made, then that one ends. A drain move ends it before (ADR 0724);
        // what is left here is an earlier version's.
        if (location.OwnerInstanceId != lifecycle.InstanceId)
        {
            var relayed = await relay.JoinAsync(location.OwnerInstanceId!, new CallId(callId), userId, deviceId, connectionId, sdpOffer!, cancellationToken);
            await legs.LeaveAsync(new CallId(callId), connectionId);
            return relayed;
        }

        string answer;
        try
        {
            answer = legs.Join(new CallId(callId), userId, deviceId, connectionId, sdpOffer);
        }
        catch (Exception exception) when (WebRtcRefusal.FromJoinFailure(exception) is { } refusal)
        {
            throw refusal.ToHubException();
        }

        await relay.MovedHereAsync(new CallId(callId), connectionId);
        return answer;
    }

    public async Task LeaveAsync(Guid callId, Guid userId, string connectionId, CancellationToken cancellationToken)
    {
        await FindAsync(callId, userId, cancellationToken);
        if (!await legs.LeaveAsync(new CallId(callId), connectionId) && !await relay.LeaveAsync(new CallId(callId), connectionId, cancellationToken))
        {
            throw WebRtcRefusal.NotInCall.ToHubException();
        }
    }

    public async Task SetMutedAsync(Guid callId, Guid userId, string connectionId, bool muted, CancellationToken cancellationToken)
    {
        await FindAsync(callId, userId, cancellationToken);
        if (legs.SetMuted(new CallId(callId), connectionId, muted))
        {
            host.HoldChanged(new CallId(callId));
        }
        else if (!await relay.SetMutedAsync(new CallId(callId), connectionId, muted, cancellationToken))
        {
            throw WebRtcRefusal.NotInCall.ToHubException();
        }
    }

    /// <summary>The call, when the user may see it; a non-member is told it does not exist, as the REST API does.</summary>
    private async Task<Call> FindAsync(Guid callId, Guid userId, CancellationToken cancellationToken)
    {
        var call = await db.Set<Call>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == callId, cancellationToken);
        if (call is null || await ConversationAccess.FindAsync(db, call.ConversationId, userId, cancellationToken) is null)
        {
            throw Refuse("call_not_found", "No such call.");
        }

        return call;
    }

    private static HubException Refuse(string code, string message) => new WebRtcRefusal(code, message).ToHubException();
}
