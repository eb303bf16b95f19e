using System.Net;
using Talko.Core.Calls;

namespace Talko.Core.Media;

/// <summary>
/// What one SIP leg needs from the media side of a conference: the address its RTP comes from,
/// the codec negotiated in SDP, and the payload type of telephone-event (RFC 4733), if offered.
/// <paramref name="SourcePolicy"/> builds the leg's source policy from the signalled RTP address; by default strict
/// RTP source learning (ADR 0164, 0167). WebRTC legs will pass one that follows ICE consent.
/// <paramref name="SignallingAddress"/> is the IP the authenticated signalling came from (or went to, for a ring-out):
/// besides the SDP address, the only IP the strict policy learns a source from.
/// <paramref name="PayloadType"/> is the negotiated RTP payload type (null: G.711's static one, or 111 for Opus);
/// <paramref name="OpusMaxBitrate"/> the peer's maxaveragebitrate, which lowers what Talko sends it.
/// </summary>
public sealed record MediaLegOptions(
    string ConferenceId,
    LegId LegId,
    IPEndPoint RemoteRtp,
    AudioCodec Codec,
    int? TelephoneEventPayloadType,
    Func<System.Net.SocketAddress, Talko.Core.Media.Rtp.IMediaSourcePolicy>? SourcePolicy = null,
    IPAddress? SignallingAddress = null,
    int? PayloadType = null,
    int? OpusMaxBitrate = null,
    int? AudioLevelExtensionId = null);

/// <summary>
/// The seam between SIP signalling and media. Signalling negotiates; the engine allocates an RTP/RTCP
/// port pair and joins the leg to the conference's mixer (created with its first leg, closed with its last).
/// </summary>
public interface IConferenceMediaEngine
{
    ValueTask<IMediaLeg> AddLegAsync(MediaLegOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// A leg whose peer offered DTLS-SRTP with ICE (RFC 5763 over SIP): the WebRTC transport of the hub's legs, answered
    /// with Talko's ICE-lite answer. Engines without WebRTC legs refuse it.
    /// </summary>
    /// <exception cref="NotSupportedException">This engine has no WebRTC legs.</exception>
    ValueTask<(IMediaLeg Leg, string Answer)> AddDtlsSrtpLegAsync(string conferenceId, LegId legId, WebRtc.Sdp.WebRtcSdpOffer offer, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This media engine has no DTLS-SRTP legs.");
}

/// <summary>One participant's media in a conference. Disposing it leaves the mixer and frees its ports.</summary>
public interface IMediaLeg : IAsyncDisposable
{
    LegId LegId { get; }

    /// <summary>The local RTP endpoint to put in the SDP answer (RTCP is the next port up).</summary>
    IPEndPoint LocalRtp { get; }

    /// <summary>
    /// A re-INVITE (from <paramref name="signallingAddress"/>, when known) moved the peer; symmetric RTP also follows
    /// the source of received packets.
    /// </summary>
    void UpdateRemote(IPEndPoint remoteRtp, IPAddress? signallingAddress = null);

    /// <summary>On hold the leg neither contributes to the mix nor is sent audio.</summary>
    void SetOnHold(bool onHold);

    /// <summary>
    /// The answer to Talko's offer chose a codec (an offer lists several, and the leg's ports must exist before it is
    /// sent): from now on the leg sends and expects <paramref name="codec"/> with these payload types, and reads the
    /// sender's audio level (RFC 6464) from the header extension the answer kept (<paramref name="audioLevelExtensionId"/>).
    /// </summary>
    void SetAudioFormat(AudioCodec codec, int? payloadType, int? telephoneEventPayloadType, int? opusMaxBitrate, int? audioLevelExtensionId);
}
