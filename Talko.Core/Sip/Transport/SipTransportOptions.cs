namespace Talko.Core.Sip.Transport;

/// <summary>Socket-level limits for the UDP and TCP channels.</summary>
public sealed class SipTransportOptions
{
    /// <summary>Most TCP connections open at once; further ones are refused.</summary>
    public int MaxTcpConnections { get; set; } = 1024;

    /// <summary>
    /// Most inbound TCP connections from one IP address, below <see cref="MaxTcpConnections"/> so that one host cannot
    /// take every slot. A NAT shares it among the phones behind it; each phone needs one.
    /// </summary>
    public int MaxTcpConnectionsPerAddress { get; set; } = 64;

    /// <summary>A TCP connection with no traffic for this long is closed.</summary>
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long one message (headers and body) may take to arrive over TCP, from its first byte, however the bytes
    /// trickle in; the connection is closed when it runs out. CRLF keep-alives between messages do not start it.
    /// </summary>
    public TimeSpan TcpMessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Refused and deadline-closed TCP connections are counted and summarised in one log line per this interval.</summary>
    public TimeSpan TcpRefusalLogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an outgoing TCP connect may take.</summary>
    public TimeSpan TcpConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Kernel receive buffer of each UDP socket, so a burst (or a flood) loses fewer valid datagrams.</summary>
    public int UdpSocketReceiveBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Receive buffer for one UDP datagram; larger datagrams are dropped.</summary>
    public int UdpReceiveBufferSize { get; set; } = 65_535;

    /// <exception cref="ArgumentException">A limit is out of range.</exception>
    public void Validate()
    {
        if (MaxTcpConnections < 1 || MaxTcpConnectionsPerAddress < 1 || MaxTcpConnectionsPerAddress >= MaxTcpConnections)
        {
            throw new ArgumentException($"Sip:Transport:MaxTcpConnectionsPerAddress ({MaxTcpConnectionsPerAddress}) must be at least 1 and below MaxTcpConnections ({MaxTcpConnections}).");
        }

        if (TcpIdleTimeout <= TimeSpan.Zero || TcpMessageTimeout <= TimeSpan.Zero || TcpConnectTimeout <= TimeSpan.Zero || TcpRefusalLogInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("Sip:Transport timeouts and the refusal log interval must be positive.");
        }
    }
}
