using System.Globalization;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Sip.Sdp;

namespace Talko.Core.Media.WebRtc.Sdp;

/// <summary>
/// What Talko takes from a client's WebRTC offer (ADR 0721): one audio m-line over UDP/TLS/RTP/SAVPF with its mid, ICE
/// credentials, a SHA-256 certificate fingerprint, a DTLS role that lets Talko be passive, rtcp-mux, a codec (Opus first,
/// as every browser offers it, then PCMU and PCMA: <see cref="PayloadType"/> is the offerer's for Opus), and the RFC 6464 audio level extension's id when offered. Anything else is refused with a <see cref="WebRtcSdpException"/> that says what is wrong.
/// </summary>
public sealed record WebRtcSdpOffer(
    string Mid,
    string IceUfrag,
    string IcePassword,
    DtlsFingerprint Fingerprint,
    AudioCodec Codec,
    int? TelephoneEventPayloadType,
    SdpDirection Direction,
    int? AudioLevelExtensionId = null,
    string? AudioLevelDirection = null,
    int? PayloadType = null,
    int? OpusMaxAverageBitrate = null)
{
    public const string Profile = "UDP/TLS/RTP/SAVPF";

    /// <summary>At most this many attribute lines in the offer (a browser's audio offer has about 30).</summary>
    public const int MaxAttributes = 200;

    /// <param name="sdp">The offer's text.</param>
    /// <param name="maxLength">The most characters accepted.</param>
    /// <param name="requireBundle">
    /// True for a browser's offer over the hub (a=mid for BUNDLE). False for a SIP offer of DTLS-SRTP (RFC 5763) from
    /// a softphone, which need not bundle: without a mid the answer has no BUNDLE group (<see cref="Mid"/> is empty).
    /// </param>
    public static WebRtcSdpOffer Parse(string? sdp, int maxLength, bool requireBundle = true)
    {
        if (string.IsNullOrWhiteSpace(sdp))
        {
            throw new WebRtcSdpException("sdp_missing", "The SDP offer is empty.");
        }

        if (sdp.Length > maxLength)
        {
            throw new WebRtcSdpException("sdp_too_large", $"The SDP offer is {sdp.Length} characters; at most {maxLength} are accepted.");
        }

        if (!SdpSession.TryParse(sdp, out var session))
        {
            throw new WebRtcSdpException("sdp_malformed", "The SDP offer is not a valid session description (v=, o= and well-formed lines).");
        }

        if (session.Attributes.Count + session.Media.Sum(m => m.Attributes.Count) > MaxAttributes)
        {
            throw new WebRtcSdpException("sdp_too_large", $"The SDP offer has more than {MaxAttributes} attributes.");
        }

        if (session.Media.Count != 1 || session.Media[0].Media != "audio")
        {
            throw new WebRtcSdpException("sdp_one_audio_line", "The offer must have exactly one m-line, for audio (no video or data channels).");
        }

        var media = session.Media[0];
        if (media.Port == 0)
        {
            throw new WebRtcSdpException("sdp_audio_rejected", "The audio m-line is disabled (port 0).");
        }

        if (!string.Equals(media.Protocol, Profile, StringComparison.Ordinal))
        {
            throw new WebRtcSdpException("sdp_profile", $"The audio m-line uses {media.Protocol}; WebRTC legs need {Profile} (DTLS-SRTP).");
        }

        if (session.Attributes.Any(a => a.Key == "ice-lite"))
        {
            throw new WebRtcSdpException("sdp_ice_lite", "The offer is ICE lite; Talko is ICE lite too, so the client must run full ICE.");
        }

        var mid = media.Attribute("mid");
        if (mid is null && !requireBundle)
        {
            mid = "";
        }
        else if (string.IsNullOrWhiteSpace(mid) || mid.Length > 32)
        {
            throw new WebRtcSdpException("sdp_mid", "The audio m-line needs an a=mid of at most 32 characters (BUNDLE).");
        }

        if (!media.HasAttribute("rtcp-mux"))
        {
            throw new WebRtcSdpException("sdp_rtcp_mux", "The offer must have a=rtcp-mux: Talko carries RTP and RTCP on one port.");
        }

        var ufrag = media.Attribute("ice-ufrag") ?? Session(session, "ice-ufrag");
        var password = media.Attribute("ice-pwd") ?? Session(session, "ice-pwd");
        if (!IceCredentials.IsValid(ufrag, 4) || !IceCredentials.IsValid(password, 22))
        {
            throw new WebRtcSdpException("sdp_ice_credentials", "The offer needs a=ice-ufrag (4-256 ice-chars) and a=ice-pwd (22-256 ice-chars).");
        }

        if (!DtlsFingerprint.TryParse(media.Attribute("fingerprint") ?? Session(session, "fingerprint"), out var fingerprint))
        {
            throw new WebRtcSdpException("sdp_fingerprint", "The offer needs a=fingerprint:sha-256 with 32 hex octets.");
        }

        var setup = media.Attribute("setup") ?? Session(session, "setup");
        if (setup is not ("actpass" or "active"))
        {
            throw new WebRtcSdpException("sdp_setup", "The offer needs a=setup:actpass or a=setup:active: Talko answers passive (it is the DTLS server).");
        }

        var (codec, payloadType, telephoneEvent) = ChooseCodec(media);
        // Browsers send their microphone's RFC 6464 level when this is negotiated: the mixer ranks legs by it (ADR 0930).
        var levelId = SdpOfferAnswer.AudioLevelExtension(session, media, out var levelDirection);
        // The offerer's maxaveragebitrate caps what Talko sends it (RFC 7587 section 6.1).
        var opusBitrate = codec == AudioCodec.Opus ? OpusSdpParameters.Parse(SdpOfferAnswer.Fmtp(media, payloadType)).MaxAverageBitrate : null;
        return new WebRtcSdpOffer(mid, ufrag!, password!, fingerprint!, codec, telephoneEvent, media.Direction, levelId, levelDirection,
            codec == AudioCodec.Opus ? payloadType : null, opusBitrate);
    }

    private static string? Session(SdpSession session, string name) => session.Attributes.FirstOrDefault(a => a.Key == name).Value;

    /// <summary>
    /// Opus (wideband, RFC 7587: "opus/48000/2" on a dynamic payload type) when offered, else PCMU, else PCMA; and the
    /// offer's telephone-event at the chosen codec's clock rate, if any (RFC 4733 events share the audio's clock).
    /// </summary>
    private static (AudioCodec Codec, int PayloadType, int? TelephoneEvent) ChooseCodec(SdpMedia media)
    {
        var maps = media.RtpMaps();
        var offered = media.Formats.Select(f => int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) ? pt : -1).Where(pt => pt is >= 0 and <= 127).ToList();
        bool Offers(AudioCodec codec, string name) =>
            offered.Contains((int)codec) && (!maps.TryGetValue((int)codec, out var map) || map.StartsWith(name + "/8000", StringComparison.OrdinalIgnoreCase));

        AudioCodec codec;
        int payloadType;
        if (offered.FirstOrDefault(pt => pt is >= 96 and <= 127 && maps.TryGetValue(pt, out var map) && map.StartsWith("opus/48000", StringComparison.OrdinalIgnoreCase)) is var opus and > 0)
        {
            (codec, payloadType) = (AudioCodec.Opus, opus);
        }
        else if (Offers(AudioCodec.Pcmu, "PCMU"))
        {
            (codec, payloadType) = (AudioCodec.Pcmu, (int)AudioCodec.Pcmu);
        }
        else if (Offers(AudioCodec.Pcma, "PCMA"))
        {
            (codec, payloadType) = (AudioCodec.Pcma, (int)AudioCodec.Pcma);
        }
        else
        {
            throw new WebRtcSdpException("sdp_no_codec", "The offer has no codec Talko's WebRTC legs take: opus/48000/2, or PCMU or PCMA at 8000 Hz.");
        }

        var events = codec == AudioCodec.Opus ? "telephone-event/48000" : "telephone-event/8000";
        int? telephoneEvent = offered
            .Where(pt => pt is >= 96 and <= 127 && pt != payloadType && maps.TryGetValue(pt, out var map) && map.Equals(events, StringComparison.OrdinalIgnoreCase))
            .Select(pt => (int?)pt).FirstOrDefault();
        return (codec, payloadType, telephoneEvent);
    }
}
