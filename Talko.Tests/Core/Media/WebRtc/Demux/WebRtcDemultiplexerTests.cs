using Talko.Core.Media.WebRtc.Demux;

namespace Talko.Tests.Core.Media.WebRtc.Demux;

public class WebRtcDemultiplexerTests
{
    [Theory]
    [InlineData(new byte[] { 0x00, 0x01 }, WebRtcPacketKind.Stun)]
    [InlineData(new byte[] { 0x03, 0x00 }, WebRtcPacketKind.Stun)]
    [InlineData(new byte[] { 0x10, 0x00 }, WebRtcPacketKind.Unknown)] // ZRTP
    [InlineData(new byte[] { 0x14, 0xFE }, WebRtcPacketKind.Dtls)]  // change_cipher_spec
    [InlineData(new byte[] { 0x16, 0xFE }, WebRtcPacketKind.Dtls)]  // handshake
    [InlineData(new byte[] { 0x3F, 0x00 }, WebRtcPacketKind.Dtls)]
    [InlineData(new byte[] { 0x40, 0x00 }, WebRtcPacketKind.Unknown)] // TURN channel
    [InlineData(new byte[] { 0x80, 0x6F }, WebRtcPacketKind.Rtp)]
    [InlineData(new byte[] { 0x80, 0xEF }, WebRtcPacketKind.Rtp)]    // payload type 111 with the marker bit
    [InlineData(new byte[] { 0x81, 0xC8 }, WebRtcPacketKind.Rtcp)]   // sender report
    [InlineData(new byte[] { 0x80, 0xDF }, WebRtcPacketKind.Rtcp)]
    [InlineData(new byte[] { 0x80, 0xE0 }, WebRtcPacketKind.Rtp)]
    [InlineData(new byte[] { 0xC0, 0x00 }, WebRtcPacketKind.Unknown)]
    [InlineData(new byte[] { 0x80 }, WebRtcPacketKind.Unknown)]
    [InlineData(new byte[] { }, WebRtcPacketKind.Unknown)]
    public void The_first_bytes_decide_the_protocol(byte[] datagram, WebRtcPacketKind expected)
    {
        Assert.Equal(expected, WebRtcDemultiplexer.Classify(datagram));
    }
}
