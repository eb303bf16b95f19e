using System.Net;
using Talko.Core.Media;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Media.WebRtc.Sdp;
using Talko.Core.Sip.Sdp;

namespace Talko.Tests.Core.Media.WebRtc.Sdp;

/// <summary>
/// The client offers, Talko answers (ADR 0721): a browser's audio offer is answered with ICE lite, a host candidate,
/// the instance's fingerprint, setup:passive, rtcp-mux and BUNDLE over its one audio m-line; offers Talko cannot
/// answer are refused with a code that says why.
/// </summary>
public sealed class WebRtcSdpTests
{
    private const int Limit = 16 * 1024;

    /// <summary>The shape of Chromium's offer for one audio transceiver (values shortened, lines as sent).</summary>
    internal static string BrowserOffer(string fingerprint = "sha-256 7B:8C:2F:1A:60:3E:90:41:DD:12:0A:55:C3:97:6E:2B:48:F0:19:AA:5D:73:E1:0C:B2:66:39:84:FE:07:C1:5A") =>
        "v=0\r\n" +
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
        "s=-\r\n" +
        "t=0 0\r\n" +
        "a=group:BUNDLE 0\r\n" +
        "a=extmap-allow-mixed\r\n" +
        "a=msid-semantic: WMS stream\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n" +
        "c=IN IP4 0.0.0.0\r\n" +
        "a=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:vYx1\r\n" +
        "a=ice-pwd:Jx8aQ0pR5sT2uV7wX9yZ1bC3\r\n" +
        "a=ice-options:trickle\r\n" +
        $"a=fingerprint:{fingerprint}\r\n" +
        "a=setup:actpass\r\n" +
        "a=mid:0\r\n" +
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" +
        "a=sendrecv\r\n" +
        "a=msid:stream track\r\n" +
        "a=rtcp-mux\r\n" +
        "a=rtcp-rsize\r\n" +
        "a=rtpmap:111 opus/48000/2\r\n" +
        "a=rtcp-fb:111 transport-cc\r\n" +
        "a=fmtp:111 minptime=10;useinbandfec=1\r\n" +
        "a=rtpmap:63 red/48000/2\r\n" +
        "a=rtpmap:9 G722/8000\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:13 CN/8000\r\n" +
        "a=rtpmap:110 telephone-event/48000\r\n" +
        "a=rtpmap:126 telephone-event/8000\r\n" +
        "a=ssrc:3735928559 cname:abc\r\n";

    [Fact]
    public void A_browser_offer_is_answered_with_ice_lite_the_fingerprint_passive_dtls_rtcp_mux_and_bundle()
    {
        var offer = WebRtcSdpOffer.Parse(BrowserOffer(), Limit);
        // Opus on the browser's payload type, with telephone-event at Opus's 48 kHz clock (not the 8 kHz one).
        Assert.Equal(("0", "vYx1", AudioCodec.Opus, 111, 110), (offer.Mid, offer.IceUfrag, offer.Codec, offer.PayloadType, offer.TelephoneEventPayloadType));

        var local = IceCredentials.Generate();
        var certificate = DtlsCertificate.Create("talko", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var text = WebRtcSdpAnswer.Create(offer, local, certificate.Fingerprint, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40002), 1234, "talko-test");

        Assert.True(SdpSession.TryParse(text, out var answer));
        Assert.Contains(answer.Attributes, a => a.Key == "ice-lite");
        Assert.Contains(answer.Attributes, a => a is { Key: "group", Value: "BUNDLE 0" });
        var audio = Assert.Single(answer.Media);
        Assert.Equal(("audio", 40002, "UDP/TLS/RTP/SAVPF"), (audio.Media, audio.Port, audio.Protocol));
        Assert.Equal(["111", "110"], audio.Formats);
        Assert.Equal("192.0.2.7", answer.ConnectionFor(audio));
        Assert.Equal("0", audio.Attribute("mid"));
        Assert.Equal("passive", audio.Attribute("setup"));
        Assert.True(audio.HasAttribute("rtcp-mux"));
        Assert.Equal(SdpDirection.SendReceive, audio.Direction);
        Assert.Equal(local.Ufrag, audio.Attribute("ice-ufrag"));
        Assert.Equal(local.Password, audio.Attribute("ice-pwd"));
        Assert.True(DtlsFingerprint.TryParse(audio.Attribute("fingerprint"), out var fingerprint));
        Assert.True(fingerprint!.Matches(certificate.Der.Span));
        Assert.Equal("opus/48000/2", audio.RtpMaps()[111]);
        Assert.Equal("telephone-event/48000", audio.RtpMaps()[110]);
        Assert.Contains(audio.Attributes, a => a is { Key: "fmtp", Value: "111 minptime=20;useinbandfec=1;stereo=0;sprop-stereo=0" });
        Assert.Equal("1 1 udp 2130706431 192.0.2.7 40002 typ host", audio.Attribute("candidate"));

        // The browser's RFC 6464 audio level is taken under the id it offered (ADR 0930).
        Assert.Equal(1, offer.AudioLevelExtensionId);
        Assert.Equal("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", audio.Attribute("extmap"));
        Assert.True(audio.HasAttribute("end-of-candidates"));
    }

    [Fact]
    public void Without_opus_pcmu_is_taken_with_telephone_event_at_8000()
    {
        var offer = WebRtcSdpOffer.Parse(BrowserOffer().Replace(" 111 63 9 0", " 63 9 0", StringComparison.Ordinal), Limit);
        Assert.Equal((AudioCodec.Pcmu, (int?)null, 126), (offer.Codec, offer.PayloadType, offer.TelephoneEventPayloadType));
        var answer = WebRtcSdpAnswer.Create(offer, IceCredentials.Generate(), DtlsCertificate.Create("t", TimeSpan.FromDays(1), DateTimeOffset.UtcNow).Fingerprint,
            new IPEndPoint(IPAddress.Loopback, 40000), 1, "s");
        Assert.Contains("m=audio 40000 UDP/TLS/RTP/SAVPF 0 126\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:126 telephone-event/8000\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void The_offerers_opus_bitrate_cap_is_kept_and_talkos_own_is_in_the_answer()
    {
        var offer = WebRtcSdpOffer.Parse(BrowserOffer().Replace("minptime=10;useinbandfec=1", "minptime=10;useinbandfec=1;maxaveragebitrate=24000", StringComparison.Ordinal), Limit);
        Assert.Equal(24000, offer.OpusMaxAverageBitrate);
        var answer = WebRtcSdpAnswer.Create(offer, IceCredentials.Generate(), DtlsCertificate.Create("t", TimeSpan.FromDays(1), DateTimeOffset.UtcNow).Fingerprint,
            new IPEndPoint(IPAddress.Loopback, 40000), 1, "s", opusMaxAverageBitrate: 32000);
        Assert.Contains("a=fmtp:111 minptime=20;useinbandfec=1;maxaveragebitrate=32000;stereo=0;sprop-stereo=0\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Pcma_is_taken_when_neither_opus_nor_pcmu_is_offered_and_directions_are_mirrored()
    {
        var text = BrowserOffer().Replace(" 111 63 9 0 8 13", " 63 9 8 13", StringComparison.Ordinal).Replace("a=sendrecv", "a=recvonly", StringComparison.Ordinal);
        var offer = WebRtcSdpOffer.Parse(text, Limit);
        Assert.Equal(AudioCodec.Pcma, offer.Codec);
        var answer = WebRtcSdpAnswer.Create(offer, IceCredentials.Generate(), DtlsCertificate.Create("t", TimeSpan.FromDays(1), DateTimeOffset.UtcNow).Fingerprint,
            new IPEndPoint(IPAddress.Loopback, 40000), 1, "s");
        Assert.Contains("a=sendonly\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:8 PCMA/8000\r\n", answer, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "", "sdp_missing" },
        { BrowserOffer() + new string('x', Limit), "sdp_too_large" },
        { "not sdp", "sdp_malformed" },
        { BrowserOffer() + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n", "sdp_one_audio_line" },
        { BrowserOffer().Replace("m=audio", "m=application", StringComparison.Ordinal), "sdp_one_audio_line" },
        { BrowserOffer().Replace("m=audio 9", "m=audio 0", StringComparison.Ordinal), "sdp_audio_rejected" },
        { BrowserOffer().Replace("UDP/TLS/RTP/SAVPF", "RTP/AVP", StringComparison.Ordinal), "sdp_profile" },
        { BrowserOffer().Replace("t=0 0\r\n", "t=0 0\r\na=ice-lite\r\n", StringComparison.Ordinal), "sdp_ice_lite" },
        { BrowserOffer().Replace("a=mid:0\r\n", "", StringComparison.Ordinal), "sdp_mid" },
        { BrowserOffer().Replace("a=rtcp-mux\r\n", "", StringComparison.Ordinal), "sdp_rtcp_mux" },
        { BrowserOffer().Replace("a=ice-pwd:Jx8aQ0pR5sT2uV7wX9yZ1bC3", "a=ice-pwd:short", StringComparison.Ordinal), "sdp_ice_credentials" },
        { BrowserOffer(fingerprint: "sha-1 7B:8C:2F:1A:60:3E:90:41:DD:12:0A:55:C3:97:6E:2B:48:F0:19:AA"), "sdp_fingerprint" },
        { BrowserOffer().Replace("a=setup:actpass", "a=setup:passive", StringComparison.Ordinal), "sdp_setup" },
        { BrowserOffer().Replace(" 111 63 9 0 8 13 110 126", " 63 110", StringComparison.Ordinal), "sdp_no_codec" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Offers_talko_cannot_answer_are_refused_with_a_reason(string offer, string code)
    {
        var refused = Assert.Throws<WebRtcSdpException>(() => WebRtcSdpOffer.Parse(offer, Limit));
        Assert.Equal(code, refused.Code);
        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
    }

    [Fact]
    public void An_offer_with_too_many_attributes_is_refused()
    {
        var flood = string.Concat(Enumerable.Repeat("a=x-filler\r\n", WebRtcSdpOffer.MaxAttributes));
        var refused = Assert.Throws<WebRtcSdpException>(() => WebRtcSdpOffer.Parse(BrowserOffer() + flood, 64 * 1024));
        Assert.Equal("sdp_too_large", refused.Code);
    }
}
