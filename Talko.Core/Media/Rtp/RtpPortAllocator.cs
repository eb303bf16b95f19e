using System.Net;
using System.Net.Sockets;

namespace Talko.Core.Media.Rtp;

/// <summary>
/// Hands out RTP/RTCP socket pairs from an even-port range. Ports are handed out round-robin so a
/// freed pair is not reused at once (late packets of the old call would land in the new one), and a
/// port another process holds is skipped.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly object gate = new();
    private readonly int minPort;
    private readonly int maxPort;
    private readonly bool[] inUse;
    private int next;
    private int pairsInUse;

    public RtpPortAllocator(RtpPortAllocatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MinPort % 2 != 0 || options.MinPort < 1024 || options.MaxPort > IPEndPoint.MaxPort || options.MaxPort <= options.MinPort)
        {
            throw new ArgumentException(
                $"The RTP port range {options.MinPort}-{options.MaxPort} must start on an even port >= 1024 and hold at least one RTP/RTCP pair.",
                nameof(options));
        }

        minPort = options.MinPort;
        maxPort = options.MaxPort;
        inUse = new bool[(maxPort - minPort + 1) / 2];
    }

    public int Capacity => inUse.Length;

    public int PairsInUse
    {
        get
        {
            lock (gate)
            {
                return pairsInUse;
            }
        }
    }

    /// <exception cref="RtpPortRangeExhaustedException">No pair in the range can be bound.</exception>
    public RtpSocketPair Allocate(IPAddress bindAddress)
    {
        ArgumentNullException.ThrowIfNull(bindAddress);
        lock (gate)
        {
            for (var attempt = 0; attempt < inUse.Length; attempt++)
            {
                var index = (next + attempt) % inUse.Length;
                if (inUse[index])
                {
                    continue;
                }

                var port = minPort + (2 * index);
                if (TryBind(bindAddress, port, out var pair))
                {
                    inUse[index] = true;
                    pairsInUse++;
                    next = (index + 1) % inUse.Length;
                    return pair;
                }
            }

            throw new RtpPortRangeExhaustedException(minPort, maxPort, pairsInUse);
        }
    }

    internal void Release(int rtpPort)
    {
        lock (gate)
        {
            var index = (rtpPort - minPort) / 2;
            if (index >= 0 && index < inUse.Length && inUse[index])
            {
                inUse[index] = false;
                pairsInUse--;
            }
        }
    }

    private bool TryBind(IPAddress address, int port, out RtpSocketPair pair)
    {
        pair = null!;
        var rtp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var rtcp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            rtp.Bind(new IPEndPoint(address, port));
            rtcp.Bind(new IPEndPoint(address, port + 1));
            pair = new RtpSocketPair(this, rtp, rtcp);
            return true;
        }
        catch (SocketException)
        {
            rtp.Dispose();
            rtcp.Dispose();
            return false;
        }
    }
}
