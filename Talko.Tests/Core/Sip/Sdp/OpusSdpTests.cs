using System.Net;
using Talko.Core.Media;
using Talko.Core.Sip.Sdp;

namespace Talko.Tests.Core.Sip.Sdp;

/// <summary>Opus in SDP (RFC 7587 section 7): offers, answers, the fmtp parameters, and telephone-event at Opus's clock.</summary>
public sealed class OpusSdpTests
{
    private static readonly AudioCodec[] All = [AudioCodec.Opus, AudioCodec.Pcmu, AudioCodec.Pcma];

    // As baresip and browsers offer: G.711 listed before Opus, telephone-events at both clocks, Opus's PT dynamic.
    private const string SoftphoneOffer =
        "v=0\r\no=- 42 1 IN IP4 192.0.2.5\r\ns=call\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n" +
        "m=audio 40002 RTP/AVP 0 8 96 101 102\r\n" +
        "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 stereo=1;sprop-stereo=1;maxaveragebitrate=24000;useinbandfec=1\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\na=rtpmap:102 telephone-event/48000\r\na=ptime:20\r\n";

    [Fact]
    public void Offer_lists_opus_first_then_pcmu_and_pcma_with_rfc7587_parameters()
    {
        var offer = SdpOfferAnswer.CreateOffer(new IPEndPoint(IPAddress.Loopback, 50000), [AudioCodec.Pcma, AudioCodec.Pcmu, AudioCodec.Opus], 7, 1,
            OpusSdpParameters.Talko(32000));
        Assert.True(SdpSession.TryParse(offer.ToString(), out var parsed));
        var audio = Assert.Single(parsed.Media);
        Assert.Equal(["111", "0", "8", "110", "101"], audio.Formats);
        var maps = audio.RtpMaps();
        Assert.Equal("opus/48000/2", maps[111]);
        Assert.Equal("telephone-event/48000", maps[110]);
        Assert.Equal("telephone-event/8000", maps[101]);
        Assert.Contains(new KeyValuePair<string, string?>("fmtp", "111 minptime=20;useinbandfec=1;maxaveragebitrate=32000;stereo=0;sprop-stereo=0"), audio.Attributes);
        Assert.Equal("20", audio.Attribute("ptime"));
        Assert.Contains("a=rtpmap:111 opus/48000/2\r\n", offer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_takes_opus_over_g711_the_offerer_listed_first_with_its_payload_type_and_parameters()
    {
        Assert.True(SdpSession.TryParse(SoftphoneOffer, out var offer));
        var n = SdpOfferAnswer.Negotiate(offer, All)!;
        Assert.Equal(AudioCodec.Opus, n.Codec);
        Assert.Equal(96, n.PayloadType);
        Assert.Equal(102, n.TelephoneEventPayloadType); // the 48 kHz one: RFC 4733 events run on the audio's clock
        Assert.Equal(new OpusSdpParameters(24000, UseInbandFec: true, Stereo: true, SpropStereo: true), n.RemoteOpus);

        var answer = SdpOfferAnswer.CreateAnswer(offer, n, new IPEndPoint(IPAddress.Loopback, 50000), 7, 1, OpusSdpParameters.Talko(20000));
        Assert.True(SdpSession.TryParse(answer.ToString(), out var parsed));
        var audio = Assert.Single(parsed.Media);
        Assert.Equal(["96", "102"], audio.Formats);
        Assert.Equal("opus/48000/2", audio.RtpMaps()[96]);
        Assert.Equal("telephone-event/48000", audio.RtpMaps()[102]);
        Assert.Contains(new KeyValuePair<string, string?>("fmtp", "96 minptime=20;useinbandfec=1;maxaveragebitrate=20000;stereo=0;sprop-stereo=0"), audio.Attributes);
    }

    [Fact]
    public void Without_opus_support_the_offerers_first_g711_is_taken_with_the_8_khz_telephone_event()
    {
        Assert.True(SdpSession.TryParse(SoftphoneOffer, out var offer));
        var n = SdpOfferAnswer.Negotiate(offer, [AudioCodec.Pcma, AudioCodec.Pcmu])!;
        Assert.Equal(AudioCodec.Pcmu, n.Codec);
        Assert.Equal(0, n.PayloadType);
        Assert.Equal(101, n.TelephoneEventPayloadType);
        Assert.Null(n.RemoteOpus);
    }

    [Fact]
    public void An_opus_only_offer_from_a_g711_only_talko_is_refused()
    {
        var opusOnly = "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n";
        Assert.True(SdpSession.TryParse(opusOnly, out var offer));
        Assert.Null(SdpOfferAnswer.Negotiate(offer, [AudioCodec.Pcmu, AudioCodec.Pcma]));
        var n = SdpOfferAnswer.Negotiate(offer, All)!;
        Assert.Equal(AudioCodec.Opus, n.Codec);
        Assert.Null(n.TelephoneEventPayloadType);
        Assert.Equal(new OpusSdpParameters(), n.RemoteOpus); // no fmtp: RFC 7587's defaults
    }

    [Fact]
    public void Opus_on_a_static_payload_type_is_not_opus()
    {
        // RFC 7587 has no static type; "opus" on 0 would be PCMU's number with a lie attached.
        var lying = "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 9\r\na=rtpmap:9 opus/48000/2\r\n";
        Assert.True(SdpSession.TryParse(lying, out var offer));
        Assert.Null(SdpOfferAnswer.Negotiate(offer, All));
    }

    [Theory]
    [InlineData("maxaveragebitrate=999999999;useinbandfec=1", null, true)]
    [InlineData("maxaveragebitrate=5999", null, false)]
    [InlineData(" MaxAverageBitrate = 16000 ; useinbandfec=0 ; junk ; =5 ; a=b=c", 16000, false)]
    [InlineData("maxaveragebitrate=-1;useinbandfec=yes", null, false)]
    [InlineData("", null, false)]
    public void Fmtp_values_out_of_range_or_malformed_fall_back_to_defaults(string fmtp, int? bitrate, bool fec)
    {
        var parsed = OpusSdpParameters.Parse(fmtp);
        Assert.Equal(bitrate, parsed.MaxAverageBitrate);
        Assert.Equal(fec, parsed.UseInbandFec);
    }

    [Fact]
    public void The_conference_engine_offers_opus_first_by_default_and_needs_some_codec()
    {
        Assert.Equal([AudioCodec.Opus, AudioCodec.Pcmu, AudioCodec.Pcma], new Talko.Core.Sip.Conferencing.ConferencingOptions().Codecs);
        var options = new Talko.Core.Sip.Conferencing.ConferencingOptions { Codecs = [] };
        var error = Assert.Throws<ArgumentException>(() => new Talko.Core.Sip.Conferencing.ConferenceCallHandler(
            null!, null!, null!, null!, options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        Assert.Contains("Codecs", error.Message, StringComparison.Ordinal);
    }
}
