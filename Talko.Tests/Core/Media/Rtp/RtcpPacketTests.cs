using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Rtp;

public class RtcpPacketTests
{
    [Fact]
    public void SenderReportWithBlockAndCnameRoundTrips()
    {
        var buffer = new byte[512];
        var info = new RtcpSenderInfo(RtcpPacket.ToNtpTimestamp(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)), 1234, 50, 8000);
        RtcpReportBlock[] blocks = [new(0xAABBCCDD, 64, -3, 70000, 12, 0x11223344, 655)];
        var length = RtcpPacket.WriteReport(buffer, 0x01020304, info, blocks, "talko-leg@127.0.0.1");

        Assert.Equal(0, length % 4);
        Assert.True(RtcpPacket.TryParse(buffer.AsSpan(0, length), out var compound));
        var report = Assert.Single(compound!.Reports);
        Assert.Equal(0x01020304u, report.Ssrc);
        Assert.Equal(info, report.SenderInfo);
        Assert.Equal(blocks[0], Assert.Single(report.Blocks));
        Assert.False(compound.HasBye);
    }

    [Fact]
    public void ReceiverReportWithoutBlocksParses()
    {
        var buffer = new byte[128];
        var length = RtcpPacket.WriteReport(buffer, 7, null, [], "x");
        Assert.True(RtcpPacket.TryParse(buffer.AsSpan(0, length), out var compound));
        Assert.Null(Assert.Single(compound!.Reports).SenderInfo);
    }

    [Fact]
    public void NtpTimestampHasSecondsSince1900AndFraction()
    {
        var ntp = RtcpPacket.ToNtpTimestamp(new DateTimeOffset(1970, 1, 1, 0, 0, 0, 500, TimeSpan.Zero));
        Assert.Equal(2208988800ul, ntp >> 32);
        Assert.Equal(0x80000000ul, ntp & 0xFFFFFFFF);
    }

    [Fact]
    public void MalformedCompoundsAreRejected()
    {
        var buffer = new byte[128];
        var length = RtcpPacket.WriteReport(buffer, 7, null, [], "x");
        var valid = buffer[..length];

        var badVersion = (byte[])valid.Clone();
        badVersion[0] = 0x40;
        Assert.False(RtcpPacket.TryParse(badVersion, out _));

        var overlong = (byte[])valid.Clone();
        overlong[3] = 0x40;
        Assert.False(RtcpPacket.TryParse(overlong, out _));

        Assert.False(RtcpPacket.TryParse(valid[8..], out _)); // starts with SDES, not SR/RR
        Assert.False(RtcpPacket.TryParse(valid[..3], out _));

        var missingBlock = (byte[])valid.Clone();
        missingBlock[0] = 0x81; // claims one report block that is not there
        Assert.False(RtcpPacket.TryParse(missingBlock, out _));

        var random = new Random(7);
        for (var i = 0; i < 5000; i++)
        {
            var datagram = new byte[random.Next(0, 80)];
            random.NextBytes(datagram);
            RtcpPacket.TryParse(datagram, out _);
        }
    }
}
