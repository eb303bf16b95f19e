using System.Net;
using Talko.Core.Media;
using Talko.Core.Sip.Sdp;

namespace Talko.Tests.Core.Sip.Sdp;

public sealed class SdpOfferAnswerTests
{
    private const string Offer =
        "v=0\r\no=- 42 1 IN IP4 192.0.2.5\r\ns=call\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n" +
        "m=video 40000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n" +
        "m=audio 40002 RTP/AVP 9 8 0 96\r\nc=IN IP4 192.0.2.6\r\na=rtpmap:9 G722/8000\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n";

    [Fact]
    public void Negotiation_takes_the_offerers_first_supported_codec_and_the_media_level_address()
    {
        Assert.True(SdpSession.TryParse(Offer, out var offer));
        var n = SdpOfferAnswer.Negotiate(offer, [AudioCodec.Pcmu, AudioCodec.Pcma])!;
        Assert.Equal(1, n.MediaIndex);
        Assert.Equal(AudioCodec.Pcma, n.Codec);
        Assert.Equal(96, n.TelephoneEventPayloadType);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.6"), 40002), n.RemoteRtp);
        Assert.True(n.IsHold);
    }

    [Fact]
    public void Answer_keeps_every_m_line_rejects_the_unused_ones_and_mirrors_direction()
    {
        Assert.True(SdpSession.TryParse(Offer, out var offer));
        var n = SdpOfferAnswer.Negotiate(offer, [AudioCodec.Pcmu, AudioCodec.Pcma])!;
        var answer = SdpOfferAnswer.CreateAnswer(offer, n, new IPEndPoint(IPAddress.Loopback, 50000), 7, 1);
        Assert.True(SdpSession.TryParse(answer.ToString(), out var reparsed));
        Assert.Equal(2, reparsed.Media.Count);
        Assert.Equal(0, reparsed.Media[0].Port);
        Assert.Equal(50000, reparsed.Media[1].Port);
        Assert.Equal(["8", "96"], reparsed.Media[1].Formats);
        Assert.Equal(SdpDirection.ReceiveOnly, reparsed.Media[1].Direction);
        Assert.Equal("20", reparsed.Media[1].Attribute("ptime"));
    }

    [Fact]
    public void No_common_codec_means_no_negotiation()
    {
        var g722 = "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 9\r\n";
        Assert.True(SdpSession.TryParse(g722, out var offer));
        Assert.Null(SdpOfferAnswer.Negotiate(offer, [AudioCodec.Pcmu, AudioCodec.Pcma]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\n")]
    [InlineData("v=0\r\ns=no origin\r\n")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio notaport RTP/AVP 0\r\n")]
    [InlineData("garbage")]
    public void Broken_sdp_is_refused(string text) => Assert.False(SdpSession.TryParse(text, out _));
}
