using System.Net;
using Talko.Core.Media;
using Talko.Core.Media.Rtp;
using Talko.Core.Sip.Sdp;

namespace Talko.Tests.Core.Sip.Sdp;

/// <summary>
/// Payload types in Talko's SDP never collide and follow the offerer's (RFC 3264 section 6.1), and the RFC 6464 audio
/// level extension (a=extmap, RFC 8285) is negotiated.
/// </summary>
public sealed class PayloadTypeAndAudioLevelSdpTests
{
    private static readonly AudioCodec[] All = [AudioCodec.Opus, AudioCodec.Pcmu, AudioCodec.Pcma];
    private static readonly IPEndPoint Local = new(IPAddress.Loopback, 50000);

    // Opus on 110, the payload type Talko gives telephone-event/48000 in its own offers.
    private const string OpusOn110 =
        "v=0\r\no=- 42 1 IN IP4 192.0.2.5\r\ns=call\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n" +
        "m=audio 40002 RTP/AVP 110 0 101\r\n" +
        "a=rtpmap:110 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n";

    [Fact]
    public void A_re_offer_after_opus_was_negotiated_on_110_keeps_opus_there_and_moves_telephone_event()
    {
        Assert.True(SdpSession.TryParse(OpusOn110, out var offer));
        var n = SdpOfferAnswer.Negotiate(offer, All)!;
        Assert.Equal((AudioCodec.Opus, 110), (n.Codec, n.PayloadType));

        // The offerless re-INVITE: Talko's 2xx carries its own offer with the negotiated payload types.
        var reOffer = SdpOfferAnswer.CreateOffer(Local, n.Codec, 7, 2, n.TelephoneEventPayloadType, n.PayloadType);

        var media = Parsed(reOffer);
        AssertNoSharedPayloadType(media);
        Assert.Equal("opus/48000/2", media.RtpMaps()[110]);
        var events = Assert.Single(media.RtpMaps(), m => m.Value.StartsWith("telephone-event/", StringComparison.Ordinal));
        Assert.Equal("telephone-event/48000", events.Value);
        Assert.NotEqual(110, events.Key);
    }

    [Fact]
    public void A_re_offer_keeps_the_negotiated_telephone_event_payload_type()
    {
        var reOffer = SdpOfferAnswer.CreateOffer(Local, AudioCodec.Opus, 7, 2, telephoneEventPayloadType: 102, payloadType: 96);

        var media = Parsed(reOffer);
        Assert.Equal(["96", "102"], media.Formats);
        Assert.Equal("telephone-event/48000", media.RtpMaps()[102]);
    }

    [Fact]
    public void The_answer_never_gives_an_offered_payload_type_another_clock()
    {
        // Only an 8 kHz telephone-event is offered beside Opus: answering 101 as telephone-event/48000 would change the
        // offerer's mapping, so the answer has no telephone-event at all.
        Assert.True(SdpSession.TryParse(OpusOn110, out var offer));
        var n = SdpOfferAnswer.Negotiate(offer, All)!;
        Assert.Null(n.TelephoneEventPayloadType);

        var media = Parsed(SdpOfferAnswer.CreateAnswer(offer, n, Local, 7, 1));
        Assert.Equal(["110"], media.Formats);
    }

    [Theory]
    [InlineData("m=audio 4000 RTP/AVP 110 101 0\r\na=rtpmap:110 opus/48000/2\r\na=rtpmap:101 telephone-event/48000\r\n")]
    [InlineData("m=audio 4000 RTP/AVP 96 110 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:110 telephone-event/48000\r\na=rtpmap:101 telephone-event/8000\r\n")]
    [InlineData("m=audio 4000 RTP/AVP 0 110 101\r\na=rtpmap:110 telephone-event/8000\r\na=rtpmap:101 telephone-event/48000\r\n")]
    [InlineData("m=audio 4000 RTP/AVP 111 110\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:110 telephone-event/48000\r\n")]
    public void Answers_use_the_offerers_payload_types_with_the_offerers_formats_and_never_two_on_one(string mediaLines)
    {
        Assert.True(SdpSession.TryParse("v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n" + mediaLines, out var offer));
        var n = SdpOfferAnswer.Negotiate(offer, All)!;

        var answered = Parsed(SdpOfferAnswer.CreateAnswer(offer, n, Local, 7, 1));
        AssertNoSharedPayloadType(answered);
        var offered = offer.Media[0].RtpMaps();
        foreach (var (pt, format) in answered.RtpMaps())
        {
            if (offered.TryGetValue(pt, out var original))
            {
                Assert.Equal(original, format, StringComparer.OrdinalIgnoreCase);
            }

            Assert.Contains(pt.ToString(System.Globalization.CultureInfo.InvariantCulture), offer.Media[0].Formats);
        }

        // Re-offering what was agreed stays collision-free as well.
        AssertNoSharedPayloadType(Parsed(SdpOfferAnswer.CreateOffer(Local, n.Codec, 7, 2, n.TelephoneEventPayloadType, n.PayloadType)));
    }

    [Theory]
    [InlineData("a=extmap:3 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n", 3, "3 urn:ietf:params:rtp-hdrext:ssrc-audio-level")]
    [InlineData("a=extmap:1/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", 1, "1/recvonly urn:ietf:params:rtp-hdrext:ssrc-audio-level")]
    [InlineData("a=extmap:14/sendrecv urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", 14, "14 urn:ietf:params:rtp-hdrext:ssrc-audio-level")]
    [InlineData("a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", null, null)]
    [InlineData("a=extmap:15 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", null, null)]
    [InlineData("a=extmap:300 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", null, null)]
    [InlineData("a=extmap:x urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", null, null)]
    [InlineData("a=extmap:4 urn:ietf:params:rtp-hdrext:toffset\r\n", null, null)]
    public void The_audio_level_extension_is_taken_with_the_offerers_id_and_echoed(string extmap, int? id, string? answered)
    {
        Assert.True(SdpSession.TryParse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n" + extmap,
            out var offer));
        var n = SdpOfferAnswer.Negotiate(offer, All)!;
        Assert.Equal(id, n.AudioLevelExtensionId);

        var media = Parsed(SdpOfferAnswer.CreateAnswer(offer, n, Local, 7, 1));
        Assert.Equal(answered, media.Attribute("extmap"));
    }

    [Fact]
    public void A_session_level_extmap_counts_and_talko_offers_the_extension()
    {
        Assert.True(SdpSession.TryParse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\na=extmap:5 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" +
            "m=audio 4000 RTP/AVP 0\r\n",
            out var offer));
        Assert.Equal(5, SdpOfferAnswer.Negotiate(offer, All)!.AudioLevelExtensionId);

        var ours = Parsed(SdpOfferAnswer.CreateOffer(Local, All, 7, 1, opus: null));
        Assert.Equal($"{SdpOfferAnswer.OfferedAudioLevelExtensionId} {RtpAudioLevel.ExtensionUri}", ours.Attribute("extmap"));
    }

    private static SdpMedia Parsed(SdpSession session)
    {
        Assert.True(SdpSession.TryParse(session.ToString(), out var parsed));
        return Assert.Single(parsed.Media);
    }

    private static void AssertNoSharedPayloadType(SdpMedia media)
    {
        Assert.Equal(media.Formats.Count, media.Formats.Distinct().Count());
        var rtpmapTypes = media.Attributes.Where(a => a.Key == "rtpmap").Select(a => a.Value!.Split(' ')[0]).ToList();
        Assert.Equal(rtpmapTypes.Count, rtpmapTypes.Distinct().Count());
    }
}
