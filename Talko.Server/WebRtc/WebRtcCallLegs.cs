using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Media.Engine;
using Talko.Core.Media.WebRtc.Sdp;
using Talko.Core.Sip.Conferencing;

namespace Talko.Server.WebRtc;

/// <summary>
/// The WebRTC legs on this instance (ADR 0721), each with the user and device that joined over the hub and the hub
/// connection that owns it. A leg joins the media engine, then is reported to the leg observers like an answered SIP
/// INVITE (so the calls feature records a participant and awareness shows the user in the call); its departure is the
/// engine's to report, as for SIP legs. A leg ends when its client leaves, its hub connection closes, its ICE consent
/// lapses or its DTLS handshake fails. A leg whose hub connection is on another instance (ADR 0724) names that
/// instance as its origin: its connection id is unique only there, and it ends when that instance says the connection
/// closed or is found dead.
/// </summary>
public sealed class WebRtcCallLegs(
    ConferenceMediaEngine media, IEnumerable<IConferenceLegObserver> observers, IOptions<MediaEngineOptions> options, ILogger<WebRtcCallLegs> logger)
{
    private readonly ConcurrentDictionary<LegId, WebRtcCallLeg> legs = new();

    /// <summary>
    /// Joins the connection's client to the call with its SDP offer and returns the answer; <paramref name="origin"/> is
    /// the instance that holds the hub connection when it is not this one.
    /// </summary>
    /// <exception cref="WebRtcSdpException">The offer is not one Talko answers.</exception>
    /// <exception cref="InvalidOperationException">The connection already has a leg in the call, or the call is full.</exception>
    public string Join(CallId callId, Guid userId, Guid? deviceId, string connectionId, string? offerSdp, string? origin = null)
    {
        var offer = WebRtcSdpOffer.Parse(offerSdp, options.Value.WebRtc.MaxOfferLength);
        if (legs.Values.Any(l => l.CallId == callId && l.Of(origin, connectionId)))
        {
            throw new InvalidOperationException("This connection is already in the call; leave first to join again.");
        }

        var legId = LegId.WebRtc(RandomNumberGenerator.GetHexString(16, lowercase: true));
        var (leg, answer) = media.AddWebRtcLeg(callId.ToString(), legId, offer);
        var entry = new WebRtcCallLeg(callId, legId, userId, deviceId, connectionId, origin, leg);
        legs[legId] = entry;
        _ = leg.Closed.ContinueWith(_ => legs.TryRemove(legId, out WebRtcCallLeg? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        WebRtcLog.Joined(logger, callId.Value, legId.ToString(), userId, connectionId);
        var joined = new ConferenceLegJoined(callId.ToString(), legId, userId.ToString("D"), deviceId?.ToString("D"));
        foreach (var observer in observers)
        {
            observer.OnLegJoined(joined);
        }

        return answer;
    }

    /// <summary>The call's WebRTC legs here; a muted leg shows as on hold, which awareness reads as muted.</summary>
    public IReadOnlyList<ConferenceLeg> LegsOf(CallId callId) =>
        [.. legs.Values.Where(l => l.CallId == callId).Select(l => new ConferenceLeg(l.LegId, l.UserId, l.DeviceId, l.Leg.IsOnHold || l.Leg.IsMuted))];

    /// <summary>Ends a leg from this side; false when it is not a WebRTC leg here.</summary>
    public async Task<bool> HangUpAsync(CallId callId, LegId legId)
    {
        if (!legs.TryGetValue(legId, out var leg) || leg.CallId != callId)
        {
            return false;
        }

        await leg.Leg.DisposeAsync();
        return true;
    }

    /// <summary>
    /// A drain move (ADR 0724): the client was told <c>callMoved</c> and joins again at the new owner over the hub; its
    /// leg here ends now, before that join, because the new owner adopts the call only once this instance's recording
    /// segment is closed, and that waits for every leg here to leave. <see cref="ConferenceTransferOutcome.Left"/>, or
    /// <see cref="ConferenceTransferOutcome.Gone"/> when the leg had already ended.
    /// </summary>
    public async Task<ConferenceTransferResult> EndForMoveAsync(CallId callId, LegId legId)
    {
        if (!await HangUpAsync(callId, legId))
        {
            return new ConferenceTransferResult(ConferenceTransferOutcome.Gone, 0, null);
        }

        WebRtcLog.EndedForMove(logger, callId.Value, legId.ToString());
        return new ConferenceTransferResult(ConferenceTransferOutcome.Left, 0, null);
    }

    /// <summary>The connection's client leaves the call; false when it had no leg in it.</summary>
    public async Task<bool> LeaveAsync(CallId callId, string connectionId, string? origin = null)
    {
        var mine = legs.Values.Where(l => l.CallId == callId && l.Of(origin, connectionId)).ToList();
        foreach (var leg in mine)
        {
            await leg.Leg.DisposeAsync();
        }

        return mine.Count > 0;
    }

    /// <summary>Mutes or unmutes the connection's leg in the call; false when it has none.</summary>
    public bool SetMuted(CallId callId, string connectionId, bool muted, string? origin = null)
    {
        var mine = legs.Values.Where(l => l.CallId == callId && l.Of(origin, connectionId)).ToList();
        foreach (var leg in mine)
        {
            leg.Leg.SetMuted(muted);
        }

        return mine.Count > 0;
    }

    /// <summary>The hub connection closed: its legs end (the page that held the peer connection is gone or reconnecting).</summary>
    public async Task ConnectionClosedAsync(string connectionId, string? origin = null)
    {
        foreach (var leg in legs.Values.Where(l => l.Of(origin, connectionId)).ToList())
        {
            await leg.Leg.DisposeAsync();
        }
    }

    /// <summary>The other instances whose hub connections hold legs here.</summary>
    public IReadOnlyCollection<string> Origins => [.. legs.Values.Select(l => l.Origin).OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// <paramref name="origin"/> is gone (crashed, or unreachable): its hub connections are too, so their legs end here
    /// rather than live on with nobody able to leave them. Returns how many ended.
    /// </summary>
    public async Task<int> OriginGoneAsync(string origin)
    {
        var orphans = legs.Values.Where(l => l.Origin == origin).ToList();
        foreach (var leg in orphans)
        {
            await leg.Leg.DisposeAsync();
        }

        return orphans.Count;
    }
}

/// <summary>A WebRTC leg here: its call, party, owning hub connection (on <see cref="Origin"/>, or here when null) and media.</summary>
public sealed record WebRtcCallLeg(CallId CallId, LegId LegId, Guid UserId, Guid? DeviceId, string ConnectionId, string? Origin, MediaLeg Leg)
{
    public bool Of(string? origin, string connectionId) => Origin == origin && ConnectionId == connectionId;
}
