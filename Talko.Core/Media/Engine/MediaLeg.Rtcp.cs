using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Engine;

/// <summary>RTCP for a leg (RFC 3550 section 6): reading the peer's SR/RR and sending ours on a randomised interval.</summary>
public sealed partial class MediaLeg
{
    internal void ProcessRtcp(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (!RtcpPacket.TryParse(datagram, out var compound) || compound is null)
        {
            Interlocked.Increment(ref rtcpMalformed);
            return;
        }

        // A stranger's report must neither redirect our reports nor feed the quality figures (ADR 0164).
        if (!sources.AcceptRtcp(from, compound.Reports.Count > 0 ? compound.Reports[0].Ssrc : null))
        {
            Interlocked.Increment(ref rtcpDroppedUnknownSource);
            return;
        }

        Interlocked.Increment(ref rtcpReceived);
        lock (rtcpGate)
        {

            foreach (var report in compound.Reports)
            {
                if (report.SenderInfo is { } senderInfo)
                {
                    lastPeerSrCompact = senderInfo.CompactNtp;
                    lastPeerSrArrival = timeProvider.GetTimestamp();
                }

                foreach (var block in report.Blocks)
                {
                    if (block.Ssrc == ssrc)
                    {
                        remoteFractionLost = block.FractionLost;
                        HearReceiverReport(block);
                    }
                }
            }
        }
    }

    private void ScheduleRtcp()
    {
        // Randomised interval avoids synchronised bursts from many legs (RFC 3550 section 6.3.1).
        var factor = 0.5 + Random.Shared.NextDouble();
        var due = options.RtcpInterval * factor;
        rtcpTimer?.Dispose();
        rtcpTimer = timeProvider.CreateTimer(_ => SendRtcp(), null, due, Timeout.InfiniteTimeSpan);
    }

    private void SendRtcp()
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            return;
        }

        try
        {
            Span<byte> packet = stackalloc byte[512];
            int length;
            SocketAddress target;
            lock (rtcpGate)
            {
                RtcpSenderInfo? senderInfo = null;
                var sent = Interlocked.Read(ref framesSent);
                if (sent > 0)
                {
                    var frame = CurrentTick() - JoinedAtTick;
                    senderInfo = new RtcpSenderInfo(
                        RtcpPacket.ToNtpTimestamp(timeProvider.GetUtcNow()),
                        unchecked(initialTimestamp + (uint)(frame * format.SamplesPerPacket)),
                        (uint)sent,
                        (uint)octetsSent);
                }

                Span<RtcpReportBlock> blocks = stackalloc RtcpReportBlock[1];
                var blockCount = 0;
                if (receivedAny)
                {
                    var delay = lastPeerSrArrival == 0 ? 0u : (uint)(timeProvider.GetElapsedTime(lastPeerSrArrival).TotalSeconds * 65536);
                    var fractionLost = source.TakeFractionLost();
                    MeasureInbound(fractionLost);
                    blocks[0] = new RtcpReportBlock(
                        source.Ssrc,
                        fractionLost,
                        (int)Math.Clamp(source.Lost, -0x800000, 0x7FFFFF),
                        source.ExtendedHighestSequence,
                        (uint)source.Jitter.Value,
                        lastPeerSrCompact,
                        lastPeerSrArrival == 0 ? 0 : delay);
                    blockCount = 1;
                }

                length = RtcpPacket.WriteReport(packet, ssrc, senderInfo, blocks[..blockCount], canonicalName);
                target = sources.RtcpTarget;
            }

            if (transport.SendRtcp(packet[..length], target))
            {
                Interlocked.Increment(ref rtcpSent);
            }
        }
        catch (SocketException exception)
        {
            MediaEngineLog.SendFailed(logger, Name, exception.SocketErrorCode.ToString());
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        if (Volatile.Read(ref disposed) == 0)
        {
            ScheduleRtcp();
        }
    }
}
