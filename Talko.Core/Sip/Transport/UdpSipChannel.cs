using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transport;

/// <summary>SIP over UDP on one IPv4 or IPv6 endpoint (RFC 3261 section 18).</summary>
public sealed class UdpSipChannel(IPEndPoint bindTo, SipTransportOptions options, ILogger logger) : SipChannel
{
    private readonly Socket socket = new(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource stopping = new();
    private Task? receiveLoop;
    private int disposed;

    public override SipTransportProtocol Protocol => SipTransportProtocol.Udp;

    public override IPEndPoint LocalEndPoint => (IPEndPoint?)socket.LocalEndPoint ?? bindTo;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (bindTo.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = false;
        }

        socket.ReceiveBufferSize = options.UdpSocketReceiveBufferBytes;
        socket.Bind(bindTo);
        receiveLoop = Task.Run(ReceiveLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(options.UdpReceiveBufferSize);
        EndPoint any = bindTo.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                SocketReceiveFromResult result;
                try
                {
                    result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    // ICMP port unreachable from an earlier send, or an oversized datagram: neither stops the loop.
                    continue;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                try
                {
                    await OnReceivedAsync((IPEndPoint)result.RemoteEndPoint, buffer.AsMemory(0, result.ReceivedBytes));
                }
                catch (Exception ex)
                {
                    SipTransportLog.HandlerFailed(logger, ex);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override async ValueTask<bool> SendAsync(IPEndPoint remote, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        try
        {
            await socket.SendToAsync(data, SocketFlags.None, remote, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or ArgumentException)
        {
            SipTransportLog.SendFailed(logger, "UDP", remote, ex.Message);
            return false;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        // The engine's stop and its disposal both close channels; the second close has nothing to do.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        socket.Dispose();
        if (receiveLoop is not null)
        {
            await receiveLoop.ConfigureAwait(false);
        }

        stopping.Dispose();
    }
}
