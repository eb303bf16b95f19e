using System.Net;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;

namespace Talko.Bench.Sip;

/// <summary>
/// A UDP channel without a socket: the benchmark hands datagrams straight to the engine and reads back the last answer,
/// so what is measured is the engine's own work per message, not the kernel's or the scheduler's.
/// </summary>
internal sealed class InProcessChannel : SipChannel
{
    public static readonly IPEndPoint Local = new(IPAddress.Loopback, 5060);
    public static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5062);

    /// <summary>The last datagram the engine sent.</summary>
    public byte[] LastSent { get; private set; } = [];

    public override SipTransportProtocol Protocol => SipTransportProtocol.Udp;

    public override IPEndPoint LocalEndPoint => Local;

    public override Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask ReceiveAsync(ReadOnlyMemory<byte> datagram) => OnReceivedAsync(Peer, datagram);

    public override ValueTask<bool> SendAsync(IPEndPoint remote, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        LastSent = data.ToArray();
        return ValueTask.FromResult(true);
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
