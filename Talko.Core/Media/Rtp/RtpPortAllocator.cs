using System.Net;
using System.Net.Sockets;

namespace Talko.Core.Media.Rtp;

/// <summary>
/// Hands out RTP/RTCP socket pairs from an even-port range, picked at random (ADR 0164): a stranger who sees one leg's
/// port learns nothing about the next one's. The pair freed last is passed over while others are free (late packets
/// of the old call would land in the new one), and a port another process holds is skipped.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly object gate = new();
    private readonly int minPort;
    private readonly int maxPort;
    private readonly bool[] inUse;
    private int lastReleased = -1;
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
            // Walk the pairs in a random order: a random start and a random stride coprime with the count visit every
            // pair once without building a permutation per call.
            var count = inUse.Length;
            var start = System.Security.Cryptography.RandomNumberGenerator.GetInt32(count);
            var stride = RandomStride(count);
            for (var pass = 0; pass < 2; pass++)
            {
                for (var attempt = 0; attempt < count; attempt++)
                {
                    var index = (int)((start + ((long)attempt * stride)) % count);
                    if (inUse[index] || (pass == 0 && index == lastReleased && pairsInUse < count - 1))
                    {
                        continue;
                    }

                    if (TryBind(bindAddress, minPort + (2 * index), out var pair))
                    {
                        inUse[index] = true;
                        pairsInUse++;
                        return pair;
                    }
                }
            }

            throw new RtpPortRangeExhaustedException(minPort, maxPort, pairsInUse);
        }
    }

    private static int RandomStride(int count)
    {
        while (true)
        {
            var stride = 1 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(Math.Max(1, count - 1));
            if (GreatestCommonDivisor(stride, count) == 1)
            {
                return stride;
            }
        }
    }

    private static int GreatestCommonDivisor(int a, int b) => b == 0 ? a : GreatestCommonDivisor(b, a % b);

    internal void Release(int rtpPort)
    {
        lock (gate)
        {
            var index = (rtpPort - minPort) / 2;
            if (index >= 0 && index < inUse.Length && inUse[index])
            {
                inUse[index] = false;
                pairsInUse--;
                lastReleased = index;
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
