using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.WebRtc.Demux;
using Talko.Core.Media.WebRtc.Dtls;

namespace Talko.Tests.Core.Media.WebRtc.Dtls;

/// <summary>
/// A loopback UDP socket feeding a DTLS packet channel through the demultiplexer, the way a WebRTC leg will: the peer
/// is whoever sent the first DTLS datagram (for a server) or the given address (for a client). Counts what it drops.
/// </summary>
internal sealed class UdpDtlsLeg : IAsyncDisposable
{
    private readonly UdpClient socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource stop = new();
    private readonly Task receiving;
    private IPEndPoint? peer;

    public UdpDtlsLeg(IPEndPoint? peer = null)
    {
        this.peer = peer;
        Channel = new DtlsPacketChannel(IsPeer, datagram => socket.Client.SendTo(datagram, SocketFlags.None, this.peer!));
        receiving = ReceiveAsync();
    }

    public DtlsPacketChannel Channel { get; }

    public int Port => ((IPEndPoint)socket.Client.LocalEndPoint!).Port;

    public int Dropped;

    private bool IsPeer(IPEndPoint source)
    {
        peer ??= source;
        return peer.Equals(source);
    }

    private async Task ReceiveAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(stop.Token);
                if (WebRtcDemultiplexer.Classify(result.Buffer) != WebRtcPacketKind.Dtls
                    || Channel.Offer(result.Buffer, result.RemoteEndPoint) != DtlsIntakeResult.Queued)
                {
                    Interlocked.Increment(ref Dropped);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // the leg is closing
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        socket.Dispose();
        await receiving;
        stop.Dispose();
    }
}
