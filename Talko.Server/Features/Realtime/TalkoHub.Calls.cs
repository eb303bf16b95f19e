using Talko.Server.Features.Accounts;
using Talko.Server.Features.Calls;

namespace Talko.Server.Features.Realtime;

/// <summary>Joining calls over WebRTC (ADR 0721, docs/realtime.md): the client offers, the server answers.</summary>
public sealed partial class TalkoHub
{
    /// <summary>
    /// Joins the call with a WebRTC SDP offer (one audio m-line, DTLS-SRTP, rtcp-mux; no trickle needed from the server)
    /// and returns the SDP answer. The connection must be on the instance that owns the call.
    /// </summary>
    public Task<string> JoinCall(Guid callId, string sdpOffer, WebRtcCallJoin calls) =>
        calls.JoinAsync(callId, Context.User!.GetUserId(), Context.User!.FindDeviceId(), Context.ConnectionId, sdpOffer, Context.ConnectionAborted);

    /// <summary>Ends this connection's WebRTC leg in the call.</summary>
    public Task LeaveCall(Guid callId, WebRtcCallJoin calls) =>
        calls.LeaveAsync(callId, Context.User!.GetUserId(), Context.ConnectionId, Context.ConnectionAborted);

    /// <summary>Mutes (the server drops this leg's audio before the mix) or unmutes this connection's WebRTC leg.</summary>
    public Task SetCallMuted(Guid callId, bool muted, WebRtcCallJoin calls) =>
        calls.SetMutedAsync(callId, Context.User!.GetUserId(), Context.ConnectionId, muted, Context.ConnectionAborted);
}
