namespace Talko.Core.Sip.Transport;

/// <summary>Socket-level limits for the UDP and TCP channels.</summary>
public sealed class SipTransportOptions
{
    /// <summary>Most TCP connections open at once; further ones are refused.</summary>
    public int MaxTcpConnections { get; set; } = 1024;

    /// <summary>A TCP connection with no traffic for this long is closed.</summary>
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an outgoing TCP connect may take.</summary>
    public TimeSpan TcpConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Kernel receive buffer of each UDP socket, so a burst (or a flood) loses fewer valid datagrams.</summary>
    public int UdpSocketReceiveBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Receive buffer for one UDP datagram; larger datagrams are dropped.</summary>
    public int UdpReceiveBufferSize { get; set; } = 65_535;
}
