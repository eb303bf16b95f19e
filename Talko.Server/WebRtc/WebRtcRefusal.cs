using Microsoft.AspNetCore.SignalR;
using Talko.Core.Media.Rtp;
using Talko.Core.Media.WebRtc.Sdp;

namespace Talko.Server.WebRtc;

/// <summary>
/// A hub call refused with a stable code (the start of the client's error message) and a sentence for people; the same
/// whether the leg was to be made on this instance or on the owner the request was relayed to (ADR 0724).
/// </summary>
public sealed record WebRtcRefusal(string Code, string Message)
{
    /// <summary>The refusal for a join that failed while making the leg; null for a failure that is not the client's or the call's.</summary>
    public static WebRtcRefusal? FromJoinFailure(Exception exception) => exception switch
    {
        WebRtcSdpException sdp => new(sdp.Code, sdp.Message),
        RtpPortRangeExhaustedException => new("call_full", "This instance has no media port free; try again shortly."),
        InvalidOperationException refused => new("call_join_refused", refused.Message),
        _ => null,
    };

    public static WebRtcRefusal NotInCall { get; } = new("not_in_call", "This connection has no WebRTC leg in that call.");

    public static WebRtcRefusal Unavailable { get; } = new("call_unavailable", "No instance can take the call right now; try again shortly.");

    /// <summary>The refusal for the client; <see cref="Features.Realtime.RefusedHubCallFilter"/> logs it once.</summary>
    public HubException ToHubException() => new($"{Code}: {Message}");
}
