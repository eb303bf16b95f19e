using System.Net;
using System.Net.Sockets;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>
/// Ports for servers a test starts (SIP engines, HTTP listeners, peers like sipp and baresip): free for both UDP and TCP,
/// from 30000-32767. That block lies between the engine's default RTP range (20000-29999) and the kernel's ephemeral
/// ports (32768 and up). A port probed free in the ephemeral range could be taken again by any outgoing connection
/// (Npgsql, Redis, HTTP) in the seconds before a server process binds it, which CI saw as a SIP engine falling back to
/// another port than the one its test sends to. Each port handed out comes with the three above it kept free and
/// unhanded: peers bind next to the port they are given (sipp's media port takes the next three for RTCP and video,
/// baresip's SIP/TLS the next one).
/// </summary>
public static class FreePort
{
    private const int First = 30000;
    private const int End = 32768;
    private const int Block = 4;
    private static readonly Lock Gate = new();

    // Each process starts at its own place, so two test processes side by side rarely probe the same ports.
    private static int next = First + (Environment.ProcessId % 16 * 43 * Block);

    public static int Find(IPAddress? address = null)
    {
        var on = address ?? IPAddress.Loopback;
        lock (Gate)
        {
            for (var probed = 0; probed < (End - First) / Block; probed++)
            {
                var port = Next();
                if (IsFree(on, port) && Enumerable.Range(port + 1, Block - 1).All(above => IsUdpFree(on, above)))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no port free for UDP and TCP in {First}-{End - 1} on {on}");
    }

    /// <summary>A port free for UDP and TCP whose next port is free for both too (for peers that listen on two, like baresip's SIP and SIP/TLS).</summary>
    public static int FindWithNext()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Find();
            if (IsFree(IPAddress.Loopback, port + 1))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free pair of consecutive ports found");
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

    private static int Next()
    {
        var port = next;
        next = next + Block >= End ? First : next + Block;
        return port;
    }

    private static bool IsFree(IPAddress address, int port) => IsUdpFree(address, port) && CanBind(address, port, SocketType.Stream, ProtocolType.Tcp);

    private static bool IsUdpFree(IPAddress address, int port) => CanBind(address, port, SocketType.Dgram, ProtocolType.Udp);

    private static bool CanBind(IPAddress address, int port, SocketType type, ProtocolType protocol)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, type, protocol);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
