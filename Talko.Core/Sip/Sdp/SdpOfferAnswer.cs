using System.Globalization;
using System.Net;
using Talko.Core.Media;

namespace Talko.Core.Sip.Sdp;

/// <summary>What negotiation settled for the audio stream.</summary>
public sealed record SdpNegotiation(int MediaIndex, AudioCodec Codec, int? TelephoneEventPayloadType, IPEndPoint RemoteRtp, SdpDirection RemoteDirection)
{
    /// <summary>The peer put us on hold: it will not receive (sendonly/inactive) or gave 0.0.0.0 (RFC 3264 section 8.4, RFC 2543 style).</summary>
    public bool IsHold => RemoteDirection is SdpDirection.SendOnly or SdpDirection.Inactive || RemoteRtp.Address.Equals(IPAddress.Any);
}

/// <summary>RFC 3264 offer/answer for G.711 audio with telephone-event (RFC 4733), ptime 20.</summary>
public static class SdpOfferAnswer
{
    public const int PacketTimeMs = 20;
    public const int DefaultTelephoneEventPayloadType = 101;

    /// <summary>Picks the first audio stream whose offer names a codec we support, in the offerer's order; null means 488.</summary>
    public static SdpNegotiation? Negotiate(SdpSession offer, IReadOnlyList<AudioCodec> supported)
    {
        for (var i = 0; i < offer.Media.Count; i++)
        {
            var media = offer.Media[i];
            if (media.Media != "audio" || media.Port == 0 || !media.Protocol.Equals("RTP/AVP", StringComparison.OrdinalIgnoreCase)) continue;
            var address = offer.ConnectionFor(media);
            if (address is null || !IPAddress.TryParse(address, out var ip)) continue;
            var maps = media.RtpMaps();
            AudioCodec? codec = null;
            int? telephoneEvent = null;
            foreach (var format in media.Formats)
            {
                if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt)) continue;
                maps.TryGetValue(pt, out var map);
                if (map is not null && map.StartsWith("telephone-event/8000", StringComparison.OrdinalIgnoreCase))
                {
                    telephoneEvent ??= pt;
                    continue;
                }
                if (codec is not null) continue;
                var candidate = CodecFor(pt, map);
                if (candidate is { } c && supported.Contains(c)) codec = c;
            }
            if (codec is { } chosen) return new SdpNegotiation(i, chosen, telephoneEvent, new IPEndPoint(ip, media.Port), media.Direction);
        }
        return null;
    }

    private static AudioCodec? CodecFor(int payloadType, string? rtpmap)
    {
        if (rtpmap is not null)
        {
            if (rtpmap.StartsWith("PCMU/8000", StringComparison.OrdinalIgnoreCase)) return AudioCodec.Pcmu;
            if (rtpmap.StartsWith("PCMA/8000", StringComparison.OrdinalIgnoreCase)) return AudioCodec.Pcma;
            return null;
        }
        return payloadType switch { 0 => AudioCodec.Pcmu, 8 => AudioCodec.Pcma, _ => null };
    }

    /// <summary>The answer: same m-lines as the offer (section 6), unused ones with port 0, the mirrored direction.</summary>
    public static SdpSession CreateAnswer(SdpSession offer, SdpNegotiation negotiation, IPEndPoint localRtp, ulong sessionId, ulong sessionVersion)
    {
        var answer = NewSession(localRtp, sessionId, sessionVersion);
        for (var i = 0; i < offer.Media.Count; i++)
        {
            var offered = offer.Media[i];
            if (i != negotiation.MediaIndex)
            {
                var rejected = new SdpMedia { Media = offered.Media, Port = 0, Protocol = offered.Protocol };
                rejected.Formats.AddRange(offered.Formats.Take(1));
                answer.Media.Add(rejected);
                continue;
            }
            var direction = negotiation.RemoteDirection switch
            {
                SdpDirection.SendOnly => SdpDirection.ReceiveOnly,
                SdpDirection.ReceiveOnly => SdpDirection.SendOnly,
                SdpDirection.Inactive => SdpDirection.Inactive,
                _ => SdpDirection.SendReceive,
            };
            answer.Media.Add(AudioMedia(localRtp.Port, negotiation.Codec, negotiation.TelephoneEventPayloadType, direction));
        }
        return answer;
    }

    /// <summary>An offer for one audio stream (used when the engine rings a device).</summary>
    public static SdpSession CreateOffer(IPEndPoint localRtp, AudioCodec codec, ulong sessionId, ulong sessionVersion, int telephoneEventPayloadType = DefaultTelephoneEventPayloadType)
    {
        var offer = NewSession(localRtp, sessionId, sessionVersion);
        offer.Media.Add(AudioMedia(localRtp.Port, codec, telephoneEventPayloadType, SdpDirection.SendReceive));
        return offer;
    }

    private static SdpSession NewSession(IPEndPoint localRtp, ulong sessionId, ulong sessionVersion)
    {
        var address = localRtp.Address.ToString();
        return new SdpSession
        {
            OriginUser = "talko",
            SessionId = sessionId,
            SessionVersion = sessionVersion,
            OriginAddress = address,
            SessionName = "Talko",
            ConnectionAddress = address,
        };
    }

    private static SdpMedia AudioMedia(int port, AudioCodec codec, int? telephoneEvent, SdpDirection direction)
    {
        var media = new SdpMedia { Media = "audio", Port = port, Protocol = "RTP/AVP" };
        var pt = ((int)codec).ToString(CultureInfo.InvariantCulture);
        media.Formats.Add(pt);
        media.Attributes.Add(new("rtpmap", $"{pt} {(codec == AudioCodec.Pcmu ? "PCMU" : "PCMA")}/8000"));
        if (telephoneEvent is { } te)
        {
            var tes = te.ToString(CultureInfo.InvariantCulture);
            media.Formats.Add(tes);
            media.Attributes.Add(new("rtpmap", $"{tes} telephone-event/8000"));
            media.Attributes.Add(new("fmtp", $"{tes} 0-16"));
        }
        media.Attributes.Add(new("ptime", PacketTimeMs.ToString(CultureInfo.InvariantCulture)));
        media.Attributes.Add(new(SdpMedia.DirectionAttribute(direction), null));
        return media;
    }
}
