using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Engine;

/// <summary>
/// Plain RTP: an RTP socket on an even port and RTCP on the next (RFC 3550), both sent to where the source policy says.
/// Received by the engine's <see cref="RtpReceiveThreads"/> when it has them (Linux; ADR 0920), else by one async
/// receive loop per socket.
/// </summary>
internal sealed class UdpMediaLegTransport(RtpSocketPair sockets, int maxDatagramSize, RtpReceiveThreads? receiver = null) : IMediaLegTransport
{
    private RtpReceiveThreads.Registration? rtpRegistration;
    private RtpReceiveThreads.Registration? rtcpRegistration;

    public IPEndPoint LocalEndPoint => sockets.RtpEndPoint;

    public AddressFamily AddressFamily => sockets.Rtp.AddressFamily;

    public Task[] Start(MediaLeg leg, CancellationToken stopping)
    {
        if (receiver is null)
        {
            return [Task.Run(() => ReceiveRtpLoopAsync(leg, stopping)), Task.Run(() => ReceiveRtcpLoopAsync(leg, stopping))];
        }

        var thread = receiver.LeastLoaded();
        rtpRegistration = receiver.Register(leg, sockets.Rtp, rtcp: false, thread);
        try
        {
            rtcpRegistration = receiver.Register(leg, sockets.Rtcp, rtcp: true, thread);
        }
        catch
        {
            rtpRegistration.Unregister();
            throw;
        }

        return [rtpRegistration.Completion, rtcpRegistration.Completion];
    }

    public bool SendRtp(Span<byte> packet, SocketAddress target)
    {
        sockets.Rtp.SendTo(packet, SocketFlags.None, target);
        return true;
    }

    public bool SendRtcp(Span<byte> packet, SocketAddress target)
    {
        sockets.Rtcp.SendTo(packet, SocketFlags.None, target);
        return true;
    }

    public void Dispose()
    {
        // Out of the receive threads' sets first: no datagram is handled after this returns.
        rtpRegistration?.Unregister();
        rtcpRegistration?.Unregister();
        sockets.Dispose();
    }

    private async Task ReceiveRtpLoopAsync(MediaLeg leg, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxDatagramSize + 1];
        var from = new SocketAddress(sockets.Rtp.AddressFamily);
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

                leg.ProcessRtp(buffer.AsSpan(0, received), from);
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

    private async Task ReceiveRtcpLoopAsync(MediaLeg leg, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxDatagramSize];
        var from = new SocketAddress(sockets.Rtcp.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var received = await sockets.Rtcp.ReceiveFromAsync(buffer, SocketFlags.None, from, cancellationToken).ConfigureAwait(false);
                leg.ProcessRtcp(buffer.AsSpan(0, received), from);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP errors and truncation: RTCP is advisory, keep listening.
            }
            catch (Exception exception)
            {
                leg.ReceiveFailed(exception);
            }
        }
    }
}
