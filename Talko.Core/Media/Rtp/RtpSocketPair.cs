using System.Net;
using System.Net.Sockets;

namespace Talko.Core.Media.Rtp;

/// <summary>Two bound UDP sockets, RTP on an even port and RTCP on the next; disposing returns the pair to the allocator.</summary>
public sealed class RtpSocketPair : IDisposable
{
    private readonly RtpPortAllocator owner;
    private int disposed;

    internal RtpSocketPair(RtpPortAllocator owner, Socket rtp, Socket rtcp)
    {
        this.owner = owner;
        Rtp = rtp;
        Rtcp = rtcp;
        RtpEndPoint = (IPEndPoint)rtp.LocalEndPoint!;
    }

    public Socket Rtp { get; }

    public Socket Rtcp { get; }

    public IPEndPoint RtpEndPoint { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        Rtp.Dispose();
        Rtcp.Dispose();
        owner.Release(RtpEndPoint.Port);
    }
}
