using System.Net;
using Talko.Core.Media.WebRtc.Dtls;

namespace Talko.Tests.Core.Media.WebRtc.Dtls;

/// <summary>What reaches the DTLS stack: only well-formed records from the peer, bounded in size and number.</summary>
public class DtlsPacketChannelTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.2"), 50000);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("203.0.113.9"), 50000);

    /// <summary>A handshake record header (type 22, DTLS 1.2, epoch 0) with a body of the given length.</summary>
    private static byte[] Record(int bodyLength, byte type = 22)
    {
        var record = new byte[13 + bodyLength];
        record[0] = type;
        record[1] = 0xFE;
        record[2] = 0xFD;
        record[11] = (byte)(bodyLength >> 8);
        record[12] = (byte)bodyLength;
        return record;
    }

    [Fact]
    public void Records_from_the_peer_are_queued_and_everything_else_is_dropped_with_its_reason()
    {
        var channel = new DtlsPacketChannel(source => source.Equals(Peer), _ => { }, maxDatagramSize: 1500, queueCapacity: 2);

        Assert.Equal(DtlsIntakeResult.Stranger, channel.Offer(Record(10), Stranger));
        Assert.Equal(DtlsIntakeResult.Malformed, channel.Offer([22, 0xFE, 0xFD], Peer));
        Assert.Equal(DtlsIntakeResult.Malformed, channel.Offer(Record(10, type: 19), Peer));
        Assert.Equal(DtlsIntakeResult.Malformed, channel.Offer(Record(10)[..20], Peer)); // length says more than came
        Assert.Equal(DtlsIntakeResult.TooLarge, channel.Offer(Record(1600), Peer));
        Assert.Equal(DtlsIntakeResult.Queued, channel.Offer([.. Record(10), .. Record(3, type: 21)], Peer)); // two records in one datagram
        Assert.Equal(DtlsIntakeResult.Queued, channel.Offer(Record(10), Peer));
        Assert.Equal(DtlsIntakeResult.Overflow, channel.Offer(Record(10), Peer));

        var buffer = new byte[1500];
        Assert.Equal(13 + 10 + 13 + 3, channel.Receive(buffer, 0));
        Assert.Equal(13 + 10, channel.Receive(buffer, 0));
        Assert.Equal(-1, channel.Receive(buffer, 10));

        channel.Close();
        Assert.Equal(DtlsIntakeResult.Closed, channel.Offer(Record(10), Peer));
    }

    [Fact]
    public void The_record_check_walks_every_record_to_the_end()
    {
        Assert.True(DtlsRecordCheck.IsWellFormed(Record(0, type: 20)));
        Assert.False(DtlsRecordCheck.IsWellFormed([.. Record(4), 0x17]));
        Assert.False(DtlsRecordCheck.IsWellFormed([]));
        var tls = Record(4);
        tls[1] = 0x03; // a TLS version, not DTLS
        Assert.False(DtlsRecordCheck.IsWellFormed(tls));
    }
}
