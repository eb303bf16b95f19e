using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Core.Media.WebRtc.Sdp;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.WebRtc;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The hub's call methods (ADR 0721) with the REST join's rules: the caller must be a member of the call's
/// conversation (otherwise the call does not exist for them), the call must be live, and it must run on this instance
/// (the hub connection must be on the owner for now). Every refusal is a <see cref="HubException"/> whose message
/// starts with a stable code, and is logged.
/// </summary>
public sealed class WebRtcCallJoin(TalkoDbContext db, CallPlacement placement, InstanceLifecycle lifecycle, WebRtcCallLegs legs)
{
    public async Task<string> JoinAsync(Guid callId, Guid userId, Guid? deviceId, string connectionId, string? sdpOffer, CancellationToken cancellationToken)
    {
        var call = await FindAsync(callId, userId, cancellationToken);
        if (call.EndedAt is not null)
        {
            throw Refuse("call_ended", "The call has ended; its recording can be played.");
        }

        var location = await placement.LocateAsync(callId, cancellationToken);
        if (!location.Found)
        {
            throw Refuse("call_unavailable", "No instance can take the call right now; try again shortly.");
        }

        if (location.OwnerInstanceId != lifecycle.InstanceId)
        {
            throw Refuse("call_elsewhere",
                $"The call runs on instance {location.OwnerInstanceId}; connect the hub to that instance to join it over WebRTC.");
        }

        try
        {
            return legs.Join(new CallId(callId), userId, deviceId, connectionId, sdpOffer);
        }
        catch (WebRtcSdpException exception)
        {
            throw Refuse(exception.Code, exception.Message);
        }
        catch (Talko.Core.Media.Rtp.RtpPortRangeExhaustedException)
        {
            throw Refuse("call_full", "This instance has no media port free; try again shortly.");
        }
        catch (InvalidOperationException exception)
        {
            throw Refuse("call_join_refused", exception.Message);
        }
    }

    public async Task LeaveAsync(Guid callId, Guid userId, string connectionId, CancellationToken cancellationToken)
    {
        await FindAsync(callId, userId, cancellationToken);
        if (!await legs.LeaveAsync(new CallId(callId), connectionId))
        {
            throw Refuse("not_in_call", "This connection has no WebRTC leg in that call.");
        }
    }

    public async Task SetMutedAsync(Guid callId, Guid userId, string connectionId, bool muted, CancellationToken cancellationToken)
    {
        await FindAsync(callId, userId, cancellationToken);
        if (!legs.SetMuted(new CallId(callId), connectionId, muted))
        {
            throw Refuse("not_in_call", "This connection has no WebRTC leg in that call.");
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

    /// <summary>The refusal for the client; <see cref="Features.Realtime.RefusedHubCallFilter"/> logs it once.</summary>
    private static HubException Refuse(string code, string message) => new($"{code}: {message}");
}
