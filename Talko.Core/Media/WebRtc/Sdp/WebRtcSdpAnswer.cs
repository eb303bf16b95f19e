using System.Globalization;
using System.Net;
using System.Text;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Sip.Sdp;

namespace Talko.Core.Media.WebRtc.Sdp;

/// <summary>
/// Talko's answer to a WebRTC offer (ADR 0721): ICE lite, the owner's host candidate, this instance's certificate
/// fingerprint, <c>a=setup:passive</c> (Talko is the DTLS server), rtcp-mux, BUNDLE over the one audio m-line, and the
/// codec chosen from the offer (Opus on the offerer's payload type with Talko's fmtp, or G.711).
/// </summary>
public static class WebRtcSdpAnswer
{
    /// <summary>Host candidate priority (RFC 8445 section 5.1.2.1: type preference 126, local preference 65535, component 1).</summary>
    public const uint HostPriority = (126u << 24) | (65535u << 8) | (256u - 1);

    /// <summary>The passive ICE-TCP host candidate's priority: below UDP's (local preference 32767), so UDP wins where it works.</summary>
    public const uint TcpHostPriority = (126u << 24) | (32767u << 8) | (256u - 1);

    public static string Create(
        WebRtcSdpOffer offer, IceCredentials local, DtlsFingerprint fingerprint, IPEndPoint candidate, uint ssrc, string streamId,
        IPEndPoint? tcpCandidate = null, int? opusMaxAverageBitrate = null)
    {
        var address = candidate.Address.ToString();
        var addressType = candidate.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var port = candidate.Port.ToString(CultureInfo.InvariantCulture);
        var payloadType = (offer.PayloadType ?? (int)offer.Codec).ToString(CultureInfo.InvariantCulture);
        var clockRate = offer.Codec == AudioCodec.Opus ? "48000" : "8000";
        var formats = offer.TelephoneEventPayloadType is { } te ? $"{payloadType} {te.ToString(CultureInfo.InvariantCulture)}" : payloadType;
        var sessionId = ((ulong)Random.Shared.NextInt64(1, long.MaxValue)).ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(1024);
        Line(sb, "v=0");
        Line(sb, $"o=- {sessionId} 1 IN {addressType} {address}");
        Line(sb, "s=-");
        Line(sb, "t=0 0");
        Line(sb, "a=ice-lite");
        if (offer.Mid.Length > 0)
        {
            Line(sb, $"a=group:BUNDLE {offer.Mid}");
        }

        Line(sb, $"a=msid-semantic: WMS {streamId}");
        Line(sb, $"m=audio {port} {WebRtcSdpOffer.Profile} {formats}");
        Line(sb, $"c=IN {addressType} {address}");
        if (offer.Mid.Length > 0)
        {
            Line(sb, $"a=mid:{offer.Mid}");
        }

        Line(sb, $"a={SdpMedia.DirectionAttribute(Mirror(offer.Direction))}");
        Line(sb, "a=rtcp-mux");
        Line(sb, $"a=ice-ufrag:{local.Ufrag}");
        Line(sb, $"a=ice-pwd:{local.Password}");
        Line(sb, $"a=fingerprint:{fingerprint}");
        Line(sb, "a=setup:passive");
        if (offer.Codec == AudioCodec.Opus)
        {
            // What Talko wants to receive: mono 20 ms packets with in-band FEC (the jitter buffer decodes FEC on loss).
            Line(sb, $"a=rtpmap:{payloadType} opus/48000/2");
            Line(sb, $"a=fmtp:{payloadType} {(OpusSdpParameters.Talko(0) with { MaxAverageBitrate = opusMaxAverageBitrate }).Format()}");
        }
        else
        {
            Line(sb, $"a=rtpmap:{payloadType} {(offer.Codec == AudioCodec.Pcma ? "PCMA" : "PCMU")}/8000");
        }

        if (offer.TelephoneEventPayloadType is { } events)
        {
            Line(sb, $"a=rtpmap:{events.ToString(CultureInfo.InvariantCulture)} telephone-event/{clockRate}");
            Line(sb, $"a=fmtp:{events.ToString(CultureInfo.InvariantCulture)} 0-15");
        }

        if (offer.AudioLevelExtensionId is { } levelId)
        {
            Line(sb, $"a=extmap:{SdpOfferAnswer.AudioLevelExtmap(levelId, offer.AudioLevelDirection)}");
        }

        Line(sb, "a=ptime:20");
        Line(sb, $"a=msid:{streamId} {streamId}-audio");
        Line(sb, $"a=ssrc:{ssrc.ToString(CultureInfo.InvariantCulture)} cname:{streamId}");
        Line(sb, $"a=candidate:1 1 udp {HostPriority.ToString(CultureInfo.InvariantCulture)} {address} {port} typ host");
        if (tcpCandidate is not null)
        {
            // RFC 6544: a passive candidate takes connections; its port is the listener's, the address the same host's.
            Line(sb, $"a=candidate:2 1 tcp {TcpHostPriority.ToString(CultureInfo.InvariantCulture)} {tcpCandidate.Address} {tcpCandidate.Port.ToString(CultureInfo.InvariantCulture)} typ host tcptype passive");
        }

        Line(sb, "a=end-of-candidates");
        return sb.ToString();
    }

    private static SdpDirection Mirror(SdpDirection offered) => offered switch
    {
        SdpDirection.SendOnly => SdpDirection.ReceiveOnly,
        SdpDirection.ReceiveOnly => SdpDirection.SendOnly,
        var same => same,
    };

    private static void Line(StringBuilder sb, string line) => sb.Append(line).Append("\r\n");
}
