using System.Net;
using System.Net.Sockets;
using Talko.Core.Sip.Transport;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>Finds a port free for both UDP and TCP on an address (the engine's own probe), so tests never collide with each other.</summary>
public static class FreePort
{
    public static int Find(IPAddress? address = null) =>
        FreeSipPort.Find(address ?? IPAddress.Loopback) ?? throw new InvalidOperationException("no free port pair found");

    /// <summary>A port free for UDP and TCP whose next port is free for both too (for peers that listen on two, like baresip's SIP and SIP/TLS).</summary>
    public static int FindWithNext()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Find();
            if (port < IPEndPoint.MaxPort && IsFree(port + 1))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free pair of consecutive ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether some process holds UDP <paramref name="port"/> on loopback (or on every address): how a test knows a
    /// peer it started (sipp, openssl, ffmpeg) is listening, instead of pausing and hoping.
    /// </summary>
    public static bool IsUdpBound(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
    }
}
