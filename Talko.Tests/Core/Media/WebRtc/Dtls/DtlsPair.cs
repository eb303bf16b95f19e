using System.Net;
using Talko.Core.Media.WebRtc.Dtls;

namespace Talko.Tests.Core.Media.WebRtc.Dtls;

/// <summary>Two packet channels wired to each other in memory, as two legs' demultiplexers would hand DTLS over.</summary>
internal sealed class DtlsPair
{
    public static readonly IPEndPoint ServerAddress = new(IPAddress.Parse("192.0.2.1"), 40000);
    public static readonly IPEndPoint ClientAddress = new(IPAddress.Parse("192.0.2.2"), 50000);

    public DtlsPair()
    {
        Server = new DtlsPacketChannel(source => source.Equals(ClientAddress), datagram => Client!.Offer(datagram, ServerAddress));
        Client = new DtlsPacketChannel(source => source.Equals(ServerAddress), datagram => Server.Offer(datagram, ClientAddress));
    }

    public DtlsPacketChannel Server { get; }
    public DtlsPacketChannel Client { get; }
}
