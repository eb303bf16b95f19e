using System.Net;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transport;

/// <summary>Bytes handed up by a channel: one datagram, or one framed message from a stream.</summary>
public delegate ValueTask SipChannelReceiveHandler(SipChannel channel, IPEndPoint remote, ReadOnlyMemory<byte> data);

/// <summary>
/// One socket-level transport bound to one local endpoint. This is the seam tests replace: a fake channel
/// records what is sent and injects what is received, so every layer above runs without sockets.
/// </summary>
public abstract class SipChannel : IAsyncDisposable
{
    public abstract SipTransportProtocol Protocol { get; }

    /// <summary>The bound endpoint (with the real port once started, if 0 was asked for).</summary>
    public abstract IPEndPoint LocalEndPoint { get; }

    /// <summary>Reliable transports need no retransmissions (RFC 3261 section 17.1.1.2).</summary>
    public bool IsReliable => Protocol != SipTransportProtocol.Udp;

    /// <summary>Set by the transport before <see cref="StartAsync"/>.</summary>
    public SipChannelReceiveHandler? Received { get; set; }

    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Sends bytes; false (never an exception) when the network refused them.</summary>
    public abstract ValueTask<bool> SendAsync(IPEndPoint remote, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();

    protected ValueTask OnReceivedAsync(IPEndPoint remote, ReadOnlyMemory<byte> data) =>
        Received?.Invoke(this, remote, data) ?? ValueTask.CompletedTask;
}
