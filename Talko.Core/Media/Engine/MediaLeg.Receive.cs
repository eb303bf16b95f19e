using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.Jitter;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Engine;

/// <summary>The receiving half of a leg: validation, the source policy (ADR 0164), decoding into the jitter buffer.</summary>
public sealed partial class MediaLeg
{
    /// <summary>Handles one datagram that arrived on the RTP socket from <paramref name="from"/>.</summary>
    internal void ProcessRtp(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        var result = RtpPacket.TryParse(datagram, out var header);
        if (result != RtpParseResult.Ok)
        {
            Interlocked.Increment(ref droppedMalformed);
            MediaEngineLog.PacketDropped(logger, Name, result);
            return;
        }

        if (!AcceptSource(from, header))
        {
            Interlocked.Increment(ref droppedUnknownSource);
            return;
        }

        if (header.PayloadType == format.PayloadType)
        {
            ProcessAudio(datagram, header);
        }
        else if (header.PayloadType == telephoneEventPayloadType)
        {
            ProcessTelephoneEvent(datagram, header);
        }
        else
        {
            Interlocked.Increment(ref droppedUnknownPayloadType);
        }
    }

    private void ProcessAudio(ReadOnlySpan<byte> datagram, RtpHeader header)
    {
        lock (rtcpGate)
        {
            var previousSsrc = source.Ssrc;
            var verdict = source.Update(header.Ssrc, header.SequenceNumber);
            if (verdict == RtpSequenceVerdict.Jumped)
            {
                // Unconfirmed jump: wait for the next packet to tell a restart from a stray (RFC 3550 A.1).
                Interlocked.Increment(ref droppedMalformed);
                return;
            }

            if (verdict == RtpSequenceVerdict.Restarted && receivedAny)
            {
                if (previousSsrc != header.Ssrc)
                {
                    Interlocked.Increment(ref ssrcChanges);
                }

                inbound.Reset();
            }

            receivedAny = true;
            var arrival = (long)(timeProvider.GetElapsedTime(startedAt).TotalSeconds * format.ClockRate);
            source.Jitter.Update(arrival, header.Timestamp);
        }

        var level = OpusJitterBuffer.NoLevel;
        if (Volatile.Read(ref audioLevelExtensionId) is > 0 and var id && RtpAudioLevel.TryRead(datagram, header, id, out var audioLevel))
        {
            // A ranking hint for the mixer, never more (RFC 6464 section 5): a false level only moves the sender's own audio.
            level = audioLevel.Level;
            Volatile.Write(ref lastAudioLevel, level);
            Interlocked.Increment(ref audioLevelsReceived);
        }

        inbound.Insert(header.Timestamp, datagram.Slice(header.PayloadOffset, header.PayloadLength), level);
        Interlocked.Increment(ref packetsReceived);
    }

    private void ProcessTelephoneEvent(ReadOnlySpan<byte> datagram, RtpHeader header)
    {
        Interlocked.Increment(ref telephoneEventPackets);
        if (!TelephoneEvent.TryParse(datagram.Slice(header.PayloadOffset, header.PayloadLength), out var telephoneEvent))
        {
            Interlocked.Increment(ref droppedMalformed);
            return;
        }

        // The end packet is sent three times with the event's timestamp (RFC 4733 section 2.5.1.4): report once.
        if (telephoneEvent.End && header.Timestamp != lastTelephoneEventEnd)
        {
            lastTelephoneEventEnd = header.Timestamp;
            engine.NotifyTelephoneEvent(this, telephoneEvent);
        }
    }

    private bool AcceptSource(SocketAddress from, RtpHeader header)
    {
        var changesBefore = sources.SourceChanges;
        if (!sources.AcceptRtp(from, header.Ssrc, header.SequenceNumber))
        {
            return false;
        }

        if (sources.SourceChanges != changesBefore)
        {
            MediaEngineLog.SourceLatched(logger, Name, CurrentRemote);
        }

        return true;
    }

    /// <summary>A datagram the transport could not use as RTP (oversized, or not RTP at all).</summary>
    internal void CountMalformed() => Interlocked.Increment(ref droppedMalformed);

    internal void ReceiveFailed(Exception exception) => MediaEngineLog.ReceiveFailed(logger, Name, exception);
}
