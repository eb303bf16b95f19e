using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transport;

/// <summary>
/// SIP over UDP on one IPv4 or IPv6 endpoint (RFC 3261 section 18). One thread of its own receives with blocking
/// calls and hands each datagram up on that thread; sends are blocking calls too. An awaited receive would cost a hop
/// from the socket engine's thread to a pool thread for every datagram, and mixing one async operation into a socket
/// makes .NET emulate its blocking calls with that same hop: at thousands of REGISTERs a second the hops, not the SIP
/// work, were the cost (ADR 0169).
/// </summary>
public sealed class UdpSipChannel(IPEndPoint bindTo, SipTransportOptions options, ILogger logger) : SipChannel
{
    /// <summary>How often a receive that got nothing returns to see whether the channel is stopping.</summary>
    private const int StopCheckMilliseconds = 250;

    private readonly Socket socket = new(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
    private volatile bool stopping;
    private Thread? receiveThread;
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
        socket.ReceiveTimeout = StopCheckMilliseconds;
        socket.Bind(bindTo);
        receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"talko-sip-udp-{LocalEndPoint.Port}" };
        receiveThread.Start();
        return Task.CompletedTask;
    }

    private void ReceiveLoop()
    {
        // Owned by this thread for the channel's life: handlers copy what they keep before they first wait.
        var buffer = new byte[options.UdpReceiveBufferSize];
        var address = new SocketAddress(bindTo.AddressFamily);
        var endPointFactory = bindTo.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!stopping)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionReset or SocketError.MessageSize)
            {
                // Nothing arrived in the stop-check interval, an ICMP port unreachable from an earlier send, or an
                // oversized datagram: none of them stops the loop.
                continue;
            }
            catch (Exception ex) when (ex is ObjectDisposedException || (ex is SocketException && stopping))
            {
                break;
            }

            Deliver((IPEndPoint)endPointFactory.Create(address), buffer.AsMemory(0, received));
        }
    }

    /// <summary>
    /// Hands one datagram up and waits until the handler lets go of the buffer: handlers run inline until they first
    /// wait (a REGISTER waiting on Redis detaches itself, ADR 0111), so the wait is usually already over.
    /// </summary>
    private void Deliver(IPEndPoint remote, ReadOnlyMemory<byte> datagram)
    {
        try
        {
            var handled = OnReceivedAsync(remote, datagram);
            if (!handled.IsCompletedSuccessfully)
            {
                handled.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception ex)
        {
            SipTransportLog.HandlerFailed(logger, ex);
        }
    }

    public override ValueTask<bool> SendAsync(IPEndPoint remote, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        try
        {
            socket.SendTo(data.Span, SocketFlags.None, remote);
            return ValueTask.FromResult(true);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or ArgumentException)
        {
            SipTransportLog.SendFailed(logger, "UDP", remote, ex.Message);
            return ValueTask.FromResult(false);
        }
    }

    public override ValueTask DisposeAsync()
    {
        // The engine's stop and its disposal both close channels; the second close has nothing to do.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return ValueTask.CompletedTask;
        }

        stopping = true;
        socket.Dispose();

        // The handler may be the one disposing (a stop requested from within a message): it must not wait for itself.
        if (receiveThread is not null && receiveThread != Thread.CurrentThread)
        {
            receiveThread.Join(TimeSpan.FromSeconds(5));
        }

        return ValueTask.CompletedTask;
    }
}
