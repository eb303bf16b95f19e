using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Rtp;

public class RtpPacketTests
{
    [Fact]
    public void WrittenPacketParsesBack()
    {
        var payload = Enumerable.Range(0, 160).Select(i => (byte)i).ToArray();
        var buffer = new byte[200];
        var length = RtpPacket.Write(buffer, marker: true, payloadType: 8, sequenceNumber: 65535, timestamp: 0xFFFFFF00, ssrc: 0xDEADBEEF, payload);

        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(buffer.AsSpan(0, length), out var header));
        Assert.True(header.Marker);
        Assert.Equal(8, header.PayloadType);
        Assert.Equal(65535, header.SequenceNumber);
        Assert.Equal(0xFFFFFF00u, header.Timestamp);
        Assert.Equal(0xDEADBEEFu, header.Ssrc);
        Assert.Equal(payload, buffer.AsSpan(header.PayloadOffset, header.PayloadLength).ToArray());
    }

    [Fact]
    public void CsrcListExtensionAndPaddingAreSkipped()
    {
        // V=2, P=1, X=1, CC=2; then 2 CSRCs, a 1-word extension, 3 payload octets and 3 octets of padding.
        var packet = new List<byte> { 0xB2, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 7 };
        packet.AddRange([0, 0, 0, 1, 0, 0, 0, 2]);
        packet.AddRange([0xBE, 0xDE, 0x00, 0x01, 9, 9, 9, 9]);
        packet.AddRange([0xAA, 0xBB, 0xCC]);
        packet.AddRange([0, 0, 3]);

        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet.ToArray(), out var header));
        Assert.Equal(2, header.CsrcCount);
        Assert.True(header.HasExtension);
        Assert.Equal(28, header.PayloadOffset);
        Assert.Equal(3, header.PayloadLength);
    }

    public static TheoryData<byte[], RtpParseResult> MalformedPackets => new()
    {
        { [], RtpParseResult.TooShort },
        { [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], RtpParseResult.TooShort },
        { [0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF], RtpParseResult.BadVersion },
        { [0xC0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF], RtpParseResult.BadVersion },
        { [0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1], RtpParseResult.CsrcListTruncated },
        { [0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE], RtpParseResult.ExtensionTruncated },
        { [0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0x00, 0x05, 1, 2, 3, 4], RtpParseResult.ExtensionTruncated },
        { [0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0x00], RtpParseResult.BadPadding },
        { [0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0x09], RtpParseResult.BadPadding },
        { [0x80, 0xC8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], RtpParseResult.LooksLikeRtcp },
    };

    [Theory]
    [MemberData(nameof(MalformedPackets))]
    public void MalformedPacketsAreRejectedWithTheReason(byte[] datagram, RtpParseResult expected) =>
        Assert.Equal(expected, RtpPacket.TryParse(datagram, out _));

    [Fact]
    public void RandomAndTruncatedDatagramsNeverThrow()
    {
        var random = new Random(1234);
        var valid = new byte[172];
        RtpPacket.Write(valid, false, 0, 1, 2, 3, new byte[160]);
        for (var i = 0; i < 20000; i++)
        {
            var datagram = i % 2 == 0 ? new byte[random.Next(0, 64)] : valid[..random.Next(0, valid.Length)];
            if (i % 2 == 0)
            {
                random.NextBytes(datagram);
            }

            var result = RtpPacket.TryParse(datagram, out var header);
            if (result == RtpParseResult.Ok)
            {
                Assert.InRange(header.PayloadOffset + header.PayloadLength, 0, datagram.Length);
            }
        }
    }

    [Fact]
    public void TelephoneEventsParse()
    {
        var payload = new byte[] { 11, 0x8A, 0x03, 0x20 };
        Assert.True(TelephoneEvent.TryParse(payload, out var telephoneEvent));
        Assert.Equal('#', telephoneEvent.Symbol);
        Assert.True(telephoneEvent.End);
        Assert.Equal(10, telephoneEvent.Volume);
        Assert.Equal(800, telephoneEvent.Duration);
        Assert.False(TelephoneEvent.TryParse(payload.AsSpan(0, 3), out _));
    }
}
