using System.Globalization;
using System.Net;
using Talko.Core.Media;

namespace Talko.Core.Sip.Sdp;

/// <summary>What negotiation settled for the audio stream.</summary>
public sealed record SdpNegotiation(int MediaIndex, AudioCodec Codec, int? TelephoneEventPayloadType, IPEndPoint RemoteRtp, SdpDirection RemoteDirection)
{
    /// <summary>The peer put us on hold: it will not receive (sendonly/inactive) or gave 0.0.0.0 (RFC 3264 section 8.4, RFC 2543 style).</summary>
    public bool IsHold => RemoteDirection is SdpDirection.SendOnly or SdpDirection.Inactive || RemoteRtp.Address.Equals(IPAddress.Any);

    /// <summary>The RTP payload type both sides use for <see cref="Codec"/>: static for G.711, the offerer's dynamic one for Opus.</summary>
    public int PayloadType { get; init; } = (int)Codec;

    /// <summary>For Opus: what the peer wants to receive (its a=fmtp), RFC 7587 defaults when it gave none; null for G.711.</summary>
    public OpusSdpParameters? RemoteOpus { get; init; }

    /// <summary>The one-byte header extension id (1-14) the peer sends its RFC 6464 audio level in; null when it does not.</summary>
    public int? AudioLevelExtensionId { get; init; }

    /// <summary>The peer's a=extmap direction for the audio level (sendonly must be answered recvonly, RFC 8285 section 6).</summary>
    internal string? AudioLevelDirection { get; init; }
}

/// <summary>
/// RFC 3264 offer/answer for audio: Opus (RFC 7587) and G.711, with telephone-event (RFC 4733), ptime 20. Offers list
/// Opus first, then PCMU and PCMA; an answer takes the best codec the peer offers: wideband Opus when offered and
/// supported, else the offerer's first G.711.
/// </summary>
public static class SdpOfferAnswer
{
    public const int PacketTimeMs = 20;
    public const int DefaultTelephoneEventPayloadType = 101;

    /// <summary>telephone-event at Opus's 48 kHz clock (RFC 4733 section 2.1: events use the audio's clock).</summary>
    public const int WidebandTelephoneEventPayloadType = 110;

    /// <summary>What Talko asks peers to send when the caller gives no Opus parameters (Talko:Media:Opus:Bitrate's default).</summary>
    public const int DefaultOpusBitrate = 32000;

    /// <summary>The a=extmap id Talko's offers give the RFC 6464 audio level (a one-byte-form id, RFC 8285).</summary>
    public const int OfferedAudioLevelExtensionId = 1;

    private const string OpusRtpMap = "opus/48000/2";

    /// <summary>
    /// Picks the first audio stream that names a codec we support, and in it the best such codec (Opus over G.711,
    /// G.711 in the offerer's order) with the telephone-event at that codec's clock; null means 488.
    /// </summary>
    public static SdpNegotiation? Negotiate(SdpSession offer, IReadOnlyList<AudioCodec> supported)
    {
        for (var i = 0; i < offer.Media.Count; i++)
        {
            var media = offer.Media[i];
            if (media.Media != "audio" || media.Port == 0 || !media.Protocol.Equals("RTP/AVP", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var address = offer.ConnectionFor(media);
            if (address is null || !IPAddress.TryParse(address, out var ip))
            {
                continue;
            }

            var maps = media.RtpMaps();
            (AudioCodec Codec, int PayloadType)? chosen = null;
            var telephoneEvents = new Dictionary<int, int>(); // clock rate -> first payload type
            foreach (var format in media.Formats)
            {
                if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
                {
                    continue;
                }

                maps.TryGetValue(pt, out var map);
                if (map is not null && map.StartsWith("telephone-event/", StringComparison.OrdinalIgnoreCase))
                {
                    if (int.TryParse(map.AsSpan("telephone-event/".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var clock))
                    {
                        telephoneEvents.TryAdd(clock, pt);
                    }

                    continue;
                }

                if (CodecFor(pt, map) is not { } candidate || !supported.Contains(candidate))
                {
                    continue;
                }

                if (chosen is null || (candidate == AudioCodec.Opus && chosen.Value.Codec != AudioCodec.Opus))
                {
                    chosen = (candidate, pt);
                }
            }

            if (chosen is not { } pick)
            {
                continue;
            }
            // Events run at the audio's clock (RFC 4733 section 2.1): a telephone-event at another rate is not used, and is
            // not answered under the offerer's payload type with a different clock (one payload type, one format).
            int? telephoneEvent = telephoneEvents.TryGetValue(ClockRate(pick.Codec), out var matching) && matching != pick.PayloadType ? matching : null;
            return new SdpNegotiation(i, pick.Codec, telephoneEvent, new IPEndPoint(ip, media.Port), media.Direction)
            {
                PayloadType = pick.PayloadType,
                RemoteOpus = pick.Codec == AudioCodec.Opus ? OpusSdpParameters.Parse(Fmtp(media, pick.PayloadType)) : null,
                AudioLevelExtensionId = AudioLevelExtension(offer, media, out var levelDirection),
                AudioLevelDirection = levelDirection,
            };
        }
        return null;
    }

    /// <summary>
    /// The id of a=extmap for the RFC 6464 audio level in <paramref name="media"/> (or the session, RFC 8285 section 5),
    /// when it is one the one-byte form can carry (1-14) and the peer will send it (not recvonly or inactive);
    /// <paramref name="direction"/> is the direction the peer gave, if any.
    /// </summary>
    public static int? AudioLevelExtension(SdpSession session, SdpMedia media, out string? direction)
    {
        direction = null;
        foreach (var (name, value) in media.Attributes.Concat(session.Attributes))
        {
            if (name != "extmap" || value is null)
            {
                continue;
            }

            var parts = value.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !parts[1].Equals(Media.Rtp.RtpAudioLevel.ExtensionUri, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var idText = parts[0];
            var slash = idText.IndexOf('/', StringComparison.Ordinal);
            var given = slash < 0 ? null : idText[(slash + 1)..];
            if (slash >= 0)
            {
                idText = idText[..slash];
            }

            if (!int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id is < 1 or > 14)
            {
                continue;
            }

            if (given is not (null or "sendrecv" or "sendonly"))
            {
                continue;
            }

            direction = given;
            return id;
        }
        return null;
    }

    /// <summary>
    /// The value of the answer's a=extmap for the audio level: Talko takes the peer's levels and sends none, so a sendonly
    /// offer is answered recvonly (RFC 8285 section 6) and any other is echoed as offered.
    /// </summary>
    public static string AudioLevelExtmap(int id, string? offeredDirection)
    {
        var value = id.ToString(CultureInfo.InvariantCulture);
        return $"{(offeredDirection == "sendonly" ? value + "/recvonly" : value)} {Media.Rtp.RtpAudioLevel.ExtensionUri}";
    }

    private static AudioCodec? CodecFor(int payloadType, string? rtpmap)
    {
        if (rtpmap is not null)
        {
            if (rtpmap.StartsWith("PCMU/8000", StringComparison.OrdinalIgnoreCase))
            {
                return AudioCodec.Pcmu;
            }

            if (rtpmap.StartsWith("PCMA/8000", StringComparison.OrdinalIgnoreCase))
            {
                return AudioCodec.Pcma;
            }

            // RFC 7587 section 7: always "opus/48000/2", whatever is sent; a bare "opus/48000" is accepted too.
            if (rtpmap.StartsWith("opus/48000", StringComparison.OrdinalIgnoreCase) && payloadType >= 96)
            {
                return AudioCodec.Opus;
            }

            return null;
        }
        return payloadType switch { 0 => AudioCodec.Pcmu, 8 => AudioCodec.Pcma, _ => null };
    }

    private static int ClockRate(AudioCodec codec) => codec == AudioCodec.Opus ? 48000 : 8000;

    /// <summary>The parameters of "a=fmtp:PT ..." for <paramref name="payloadType"/>, or null.</summary>
    internal static string? Fmtp(SdpMedia media, int payloadType)
    {
        var prefix = payloadType.ToString(CultureInfo.InvariantCulture) + " ";
        foreach (var (name, value) in media.Attributes)
        {
            if (name == "fmtp" && value is not null && value.StartsWith(prefix, StringComparison.Ordinal))
            {
                return value[prefix.Length..];
            }
        }
        return null;
    }

    /// <summary>
    /// The answer: same m-lines as the offer (section 6), unused ones with port 0, the mirrored direction. For Opus it
    /// states what Talko wants to receive (<paramref name="localOpus"/>, mono with FEC at 32 kb/s by default).
    /// </summary>
    public static SdpSession CreateAnswer(
        SdpSession offer, SdpNegotiation negotiation, IPEndPoint localRtp, ulong sessionId, ulong sessionVersion, OpusSdpParameters? localOpus = null)
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
            var media = new SdpMedia { Media = "audio", Port = localRtp.Port, Protocol = "RTP/AVP" };
            AddCodec(media, negotiation.Codec, negotiation.PayloadType, localOpus);
            if (negotiation.TelephoneEventPayloadType is { } te)
            {
                AddTelephoneEvent(media, te, ClockRate(negotiation.Codec));
            }

            if (negotiation.AudioLevelExtensionId is { } levelId)
            {
                media.Attributes.Add(new("extmap", AudioLevelExtmap(levelId, negotiation.AudioLevelDirection)));
            }
            Finish(media, direction);
            answer.Media.Add(media);
        }
        return answer;
    }

    /// <summary>
    /// An offer for one audio stream with one codec: a re-offer in a dialog keeps the negotiated <paramref name="payloadType"/>
    /// and <paramref name="telephoneEventPayloadType"/> (RFC 3264 section 8.3.2). Two formats never share a payload type:
    /// when the negotiated codec took the one Talko would give telephone-event (a peer that put Opus at 110), the event
    /// moves to a free dynamic type.
    /// </summary>
    public static SdpSession CreateOffer(
        IPEndPoint localRtp, AudioCodec codec, ulong sessionId, ulong sessionVersion, int? telephoneEventPayloadType = null,
        int? payloadType = null)
    {
        var offer = NewSession(localRtp, sessionId, sessionVersion);
        var media = new SdpMedia { Media = "audio", Port = localRtp.Port, Protocol = "RTP/AVP" };
        var codecType = codec == AudioCodec.Opus && payloadType is { } pt ? pt : (int)codec;
        AddCodec(media, codec, codecType, null);
        var eventType = telephoneEventPayloadType ?? (codec == AudioCodec.Opus ? WidebandTelephoneEventPayloadType : DefaultTelephoneEventPayloadType);
        if (eventType == codecType)
        {
            eventType = FreeDynamicPayloadType(codecType);
        }

        AddTelephoneEvent(media, eventType, ClockRate(codec));
        Finish(media, SdpDirection.SendReceive);
        offer.Media.Add(media);
        return offer;
    }

    /// <summary>The highest dynamic payload type (96-127) other than <paramref name="taken"/>.</summary>
    private static int FreeDynamicPayloadType(int taken) => taken == 127 ? 126 : 127;

    /// <summary>
    /// An offer for one audio stream listing <paramref name="codecs"/> in Talko's order of preference (Opus first, then
    /// PCMU, then PCMA, whatever order they are given in), with telephone-event at 8 kHz and, with Opus, at 48 kHz.
    /// </summary>
    public static SdpSession CreateOffer(
        IPEndPoint localRtp, IReadOnlyList<AudioCodec> codecs, ulong sessionId, ulong sessionVersion, OpusSdpParameters? opus,
        int telephoneEventPayloadType = DefaultTelephoneEventPayloadType)
    {
        var offer = NewSession(localRtp, sessionId, sessionVersion);
        var media = new SdpMedia { Media = "audio", Port = localRtp.Port, Protocol = "RTP/AVP" };
        foreach (var codec in new[] { AudioCodec.Opus, AudioCodec.Pcmu, AudioCodec.Pcma }.Where(codecs.Contains))
        {
            AddCodec(media, codec, (int)codec, opus);
        }
        if (codecs.Contains(AudioCodec.Opus))
        {
            AddTelephoneEvent(media, WidebandTelephoneEventPayloadType, 48000);
        }

        if (codecs.Any(c => c != AudioCodec.Opus))
        {
            AddTelephoneEvent(media, telephoneEventPayloadType, 8000);
        }

        media.Attributes.Add(new("extmap", $"{OfferedAudioLevelExtensionId.ToString(CultureInfo.InvariantCulture)} {Media.Rtp.RtpAudioLevel.ExtensionUri}"));
        Finish(media, SdpDirection.SendReceive);
        offer.Media.Add(media);
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

    private static void AddCodec(SdpMedia media, AudioCodec codec, int payloadType, OpusSdpParameters? opus)
    {
        var pt = payloadType.ToString(CultureInfo.InvariantCulture);
        media.Formats.Add(pt);
        switch (codec)
        {
            case AudioCodec.Opus:
                media.Attributes.Add(new("rtpmap", $"{pt} {OpusRtpMap}"));
                media.Attributes.Add(new("fmtp", $"{pt} {(opus ?? OpusSdpParameters.Talko(DefaultOpusBitrate)).Format()}"));
                break;
            default:
                media.Attributes.Add(new("rtpmap", $"{pt} {(codec == AudioCodec.Pcmu ? "PCMU" : "PCMA")}/8000"));
                break;
        }
    }

    private static void AddTelephoneEvent(SdpMedia media, int payloadType, int clockRate)
    {
        var pt = payloadType.ToString(CultureInfo.InvariantCulture);
        media.Formats.Add(pt);
        media.Attributes.Add(new("rtpmap", $"{pt} telephone-event/{clockRate.ToString(CultureInfo.InvariantCulture)}"));
        media.Attributes.Add(new("fmtp", $"{pt} 0-16"));
    }

    private static void Finish(SdpMedia media, SdpDirection direction)
    {
        media.Attributes.Add(new("ptime", PacketTimeMs.ToString(CultureInfo.InvariantCulture)));
        media.Attributes.Add(new(SdpMedia.DirectionAttribute(direction), null));
    }
}
