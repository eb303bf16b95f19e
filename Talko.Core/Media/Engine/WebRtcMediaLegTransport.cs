using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.Rtp;
using Talko.Core.Media.WebRtc;

namespace Talko.Core.Media.Engine;

/// <summary>
/// A WebRTC leg's packets: one UDP socket (BUNDLE and rtcp-mux put ICE, DTLS, SRTP and SRTCP on it) whose datagrams
/// go through <see cref="WebRtcTransport"/>; the RTP and RTCP it authenticates and decrypts go to the leg as from a
/// plain socket, and what the leg sends is protected and sent to the selected ICE pair. The port pair's RTCP socket
/// stays bound but unused, so the allocator's pairs stay whole. Connections to the instance's passive ICE-TCP
/// candidate that name this leg are attached (<see cref="AttachTcp"/>): their frames take the same path, and packets
/// for a pair whose address is such a connection's go back over it.
/// </summary>
internal sealed class WebRtcMediaLegTransport : IMediaLegTransport
{
    /// <summary>Room past a packet for the SRTP/SRTCP tag (16 bytes with GCM) and the SRTCP index.</summary>
    private const int ProtectionOverhead = 32;

    /// <summary>A browser opens one ICE-TCP connection per local address; more from one client are not needed.</summary>
    private const int MaxTcpConnections = 4;

    private readonly RtpSocketPair sockets;
    private readonly int maxDatagramSize;
    private readonly byte[] rtpOut;
    private readonly byte[] rtcpOut;
    private readonly Lock rtcpGate = new();
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock receiveGate = new();
    private readonly List<IceTcpConnection> tcp = [];
    private volatile bool muted;
    private MediaLeg? leg;
    private CancellationToken stopping;

    public WebRtcMediaLegTransport(RtpSocketPair sockets, int maxDatagramSize, Func<Action<ReadOnlyMemory<byte>, IPEndPoint>, WebRtcTransport> createTransport)
    {
        this.sockets = sockets;
        this.maxDatagramSize = maxDatagramSize;
        rtpOut = new byte[maxDatagramSize + ProtectionOverhead];
        rtcpOut = new byte[maxDatagramSize + ProtectionOverhead];
        Transport = createTransport(Send);
    }

    public WebRtcTransport Transport { get; }

    public IPEndPoint LocalEndPoint => sockets.RtpEndPoint;

    public AddressFamily AddressFamily => sockets.Rtp.AddressFamily;

    /// <summary>Completes when the leg stopped and its transport was disposed.</summary>
    public Task Closed => closed.Task;

    /// <summary>While muted, the peer's audio is dropped before the jitter buffer, so the leg adds nothing to the mix.</summary>
    public bool Muted
    {
        get => muted;
        set => muted = value;
    }

    public Task[] Start(MediaLeg leg, CancellationToken stopping)
    {
        this.leg = leg;
        this.stopping = stopping;
        return [Task.Run(() => ReceiveLoopAsync(leg, stopping))];
    }

    /// <summary>
    /// Takes an ICE-TCP connection whose first frame (<paramref name="firstFrame"/>, a check naming this leg) was read;
    /// false when the leg has not started, is closing or has its share of connections.
    /// </summary>
    public bool AttachTcp(IceTcpConnection connection, ReadOnlySpan<byte> firstFrame)
    {
        if (leg is not { } owner || stopping.IsCancellationRequested)
        {
            return false;
        }

        lock (tcp)
        {
            if (tcp.Count >= MaxTcpConnections)
            {
                return false;
            }

            tcp.Add(connection);
        }

        var frame = new byte[maxDatagramSize];
        firstFrame.CopyTo(frame);
        Dispatch(owner, frame.AsSpan(0, firstFrame.Length), connection.Remote, null);
        _ = Task.Run(() => ReceiveTcpLoopAsync(owner, connection, frame));
        return true;
    }

    public bool SendRtp(Span<byte> packet, SocketAddress target)
    {
        // Only the mixer's tick sends RTP, one frame at a time: the buffer needs no lock.
        if (packet.Length > maxDatagramSize)
        {
            return false;
        }

        packet.CopyTo(rtpOut);
        return Transport.TrySendRtp(rtpOut, packet.Length);
    }

    public bool SendRtcp(Span<byte> packet, SocketAddress target)
    {
        if (packet.Length > maxDatagramSize)
        {
            return false;
        }

        lock (rtcpGate)
        {
            packet.CopyTo(rtcpOut);
            return Transport.TrySendRtcp(rtcpOut, packet.Length);
        }
    }

    public void Dispose()
    {
        Transport.Dispose();
        sockets.Dispose();
        lock (tcp)
        {
            foreach (var connection in tcp)
            {
                connection.Dispose();
            }

            tcp.Clear();
        }

        closed.TrySetResult();
    }

    private void Send(ReadOnlyMemory<byte> datagram, IPEndPoint target)
    {
        IceTcpConnection? over = null;
        lock (tcp)
        {
            foreach (var connection in tcp)
            {
                if (connection.Remote.Equals(target))
                {
                    over = connection;
                    break;
                }
            }
        }

        if (over is not null)
        {
            over.Send(datagram.Span);
            return;
        }

        try
        {
            sockets.Rtp.SendTo(datagram.Span, SocketFlags.None, target);
        }
        catch (SocketException)
        {
            // The peer went away; consent freshness ends the leg.
        }
        catch (ObjectDisposedException)
        {
            // The leg is closing.
        }
    }

    private async Task ReceiveLoopAsync(MediaLeg leg, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxDatagramSize + 1];
        var from = new SocketAddress(sockets.Rtp.AddressFamily);
        var template = new IPEndPoint(sockets.Rtp.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        SocketAddress? lastAddress = null;
        IPEndPoint? lastSource = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var received = await sockets.Rtp.ReceiveFromAsync(buffer, SocketFlags.None, from, cancellationToken).ConfigureAwait(false);
                if (received > maxDatagramSize)
                {
                    leg.CountMalformed();
                    continue;
                }

                // The peer's address rarely changes: convert it once, not per packet.
                if (lastSource is null || !from.Equals(lastAddress))
                {
                    lastSource = (IPEndPoint)template.Create(from);
                    lastAddress = new SocketAddress(from.Family, from.Size);
                    from.Buffer.CopyTo(lastAddress.Buffer);
                }

                Dispatch(leg, buffer.AsSpan(0, received), lastSource, from);
            }
            catch (Exception exception)
            {
                if (ReceiveLoopFailure.EndsLoop(exception, leg))
                {
                    return;
                }
            }
        }
    }

    private async Task ReceiveTcpLoopAsync(MediaLeg owner, IceTcpConnection connection, byte[] frame)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var length = await connection.Reader.ReadFrameAsync(frame, stopping).ConfigureAwait(false);
                if (length <= 0)
                {
                    break;
                }

                Dispatch(owner, frame.AsSpan(0, length), connection.Remote, null);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Closed by either side; consent freshness decides whether the leg lives on.
        }
        catch (Exception exception)
        {
            owner.ReceiveFailed(exception);
        }

        lock (tcp)
        {
            tcp.Remove(connection);
        }

        connection.Dispose();
    }

    /// <summary>
    /// One packet from UDP or TCP through ICE, DTLS and SRTP to the leg. Serialised: the SRTP receive context and the
    /// leg's receive path expect one packet at a time, and a leg may briefly have packets on both.
    /// </summary>
    private void Dispatch(MediaLeg owner, Span<byte> datagram, IPEndPoint source, SocketAddress? from)
    {
        lock (receiveGate)
        {
            switch (Transport.Receive(datagram, source, out var plainLength))
            {
                case WebRtcReceiveResult.Rtp when !muted:
                    owner.ProcessRtp(datagram[..plainLength], from ?? source.Serialize());
                    break;
                case WebRtcReceiveResult.Rtcp:
                    owner.ProcessRtcp(datagram[..plainLength], from ?? source.Serialize());
                    break;
            }
        }
    }
}
