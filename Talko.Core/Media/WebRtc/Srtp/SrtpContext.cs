using System.Buffers.Binary;

namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// SRTP and SRTCP for one direction of one DTLS-SRTP association (RFC 3711): the sender's context protects what
/// Talko sends with the keys it exported for itself; the receiver's context unprotects what the peer sends.
/// Packets are transformed in place in the caller's buffer; nothing is allocated per packet once a stream (SSRC)
/// is known. Not thread-safe: one socket loop drives one context. A packet that fails leaves the buffer's content
/// undefined (AES-GCM clears what it could not authenticate).
/// </summary>
public sealed class SrtpContext : IDisposable
{
    public const int DefaultMaxStreams = 16;

    private const int RtpFixedHeaderLength = 12;
    private const ulong MaxIndex = (1UL << 48) - 1;
    private const uint MaxRtcpIndex = 0x7FFF_FFFF;

    private readonly SrtpTransform rtp;
    private readonly SrtpTransform rtcp;
    private readonly Dictionary<uint, SrtpStream> streams = [];
    private readonly int maxStreams;

    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, int maxStreams = DefaultMaxStreams)
        : this(profile, SrtpTransform.Create(profile, masterKey, masterSalt, rtcp: false), SrtpTransform.Create(profile, masterKey, masterSalt, rtcp: true), maxStreams)
    {
    }

    internal SrtpContext(SrtpProfile profile, SrtpTransform rtp, SrtpTransform rtcp, int maxStreams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        Profile = profile;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.maxStreams = maxStreams;
    }

    public SrtpProfile Profile { get; }

    /// <summary>Protects the RTP packet in <c>buffer[..length]</c>; the buffer needs room for the profile's tag.</summary>
    public SrtpResult ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        var check = ReadRtpHeader(buffer, length, extra: 0, out var headerLength, out var ssrc, out var sequence);
        if (check != SrtpResult.Ok)
        {
            return check;
        }

        if (buffer.Length < length + rtp.TagLength)
        {
            return SrtpResult.BufferTooSmall;
        }

        if (!TryGetStream(ssrc, out var stream))
        {
            return SrtpResult.TooManyStreams;
        }

        var index = stream.HighestSent < 0 ? sequence : RolloverCounter.EstimateIndex((ulong)stream.HighestSent, sequence);
        if (index < 0)
        {
            index = sequence; // our own sender stepped back across the first packet; stay in rollover 0
        }

        if ((ulong)index > MaxIndex)
        {
            return SrtpResult.KeyExhausted;
        }

        stream.HighestSent = Math.Max(stream.HighestSent, index);
        protectedLength = rtp.ProtectRtp(buffer, headerLength, length, ssrc, (ulong)index);
        return SrtpResult.Ok;
    }

    /// <summary>Authenticates, replay-checks and decrypts the SRTP packet that fills <paramref name="packet"/>.</summary>
    public SrtpResult UnprotectRtp(Span<byte> packet, out int plainLength)
    {
        plainLength = 0;
        var check = ReadRtpHeader(packet, packet.Length, rtp.TagLength, out var headerLength, out var ssrc, out var sequence);
        if (check != SrtpResult.Ok)
        {
            return check;
        }

        streams.TryGetValue(ssrc, out var stream);
        long index = sequence;
        if (stream is not null && stream.Received.HasReceived)
        {
            index = RolloverCounter.EstimateIndex(stream.Received.Highest, sequence);
            if (index < 0)
            {
                return SrtpResult.TooOld;
            }

            var replay = stream.Received.Check((ulong)index);
            if (replay != SrtpResult.Ok)
            {
                return replay;
            }
        }

        var length = rtp.UnprotectRtp(packet, headerLength, packet.Length, ssrc, (ulong)index);
        if (length < 0)
        {
            return SrtpResult.AuthenticationFailed;
        }

        if (stream is null && !TryGetStream(ssrc, out stream))
        {
            return SrtpResult.TooManyStreams;
        }

        stream.Received.Accept((ulong)index);
        plainLength = length;
        return SrtpResult.Ok;
    }

    /// <summary>Protects the (compound) RTCP packet in <c>buffer[..length]</c>, always encrypted (E = 1).</summary>
    public SrtpResult ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        var check = ReadRtcpHeader(buffer, length, extra: 0, out var ssrc);
        if (check != SrtpResult.Ok)
        {
            return check;
        }

        if (buffer.Length < length + rtcp.TagLength + SrtpTransform.RtcpIndexLength)
        {
            return SrtpResult.BufferTooSmall;
        }

        if (!TryGetStream(ssrc, out var stream))
        {
            return SrtpResult.TooManyStreams;
        }

        if (stream.NextRtcpIndex > MaxRtcpIndex)
        {
            return SrtpResult.KeyExhausted;
        }

        protectedLength = rtcp.ProtectRtcp(buffer, length, ssrc, stream.NextRtcpIndex++);
        return SrtpResult.Ok;
    }

    /// <summary>Authenticates, replay-checks and decrypts the SRTCP packet that fills <paramref name="packet"/>.</summary>
    public SrtpResult UnprotectRtcp(Span<byte> packet, out int plainLength)
    {
        plainLength = 0;
        var check = ReadRtcpHeader(packet, packet.Length, rtcp.TagLength + SrtpTransform.RtcpIndexLength, out var ssrc);
        if (check != SrtpResult.Ok)
        {
            return check;
        }

        var flaggedIndex = BinaryPrimitives.ReadUInt32BigEndian(packet[rtcp.RtcpIndexOffset(packet.Length)..]);
        var index = flaggedIndex & MaxRtcpIndex;
        streams.TryGetValue(ssrc, out var stream);
        if (stream is not null)
        {
            var replay = stream.ReceivedRtcp.Check(index);
            if (replay != SrtpResult.Ok)
            {
                return replay;
            }
        }

        var length = rtcp.UnprotectRtcp(packet, packet.Length, ssrc, flaggedIndex);
        if (length < 0)
        {
            return SrtpResult.AuthenticationFailed;
        }

        if (stream is null && !TryGetStream(ssrc, out stream))
        {
            return SrtpResult.TooManyStreams;
        }

        stream.ReceivedRtcp.Accept(index);
        plainLength = length;
        return SrtpResult.Ok;
    }

    private bool TryGetStream(uint ssrc, out SrtpStream stream)
    {
        if (streams.TryGetValue(ssrc, out stream!))
        {
            return true;
        }

        if (streams.Count >= maxStreams)
        {
            return false;
        }

        stream = new SrtpStream();
        streams.Add(ssrc, stream);
        return true;
    }

    /// <summary>The RTP header's length (fixed part, CSRCs, extension: RFC 3550 section 5.1), SSRC and sequence number.</summary>
    private static SrtpResult ReadRtpHeader(ReadOnlySpan<byte> buffer, int length, int extra, out int headerLength, out uint ssrc, out ushort sequence)
    {
        headerLength = 0;
        ssrc = 0;
        sequence = 0;
        if (length < RtpFixedHeaderLength + extra || length > buffer.Length)
        {
            return SrtpResult.TooShort;
        }

        var packet = buffer[..length];
        if (packet[0] >> 6 != 2)
        {
            return SrtpResult.Malformed;
        }

        headerLength = RtpFixedHeaderLength + (4 * (packet[0] & 0x0F));
        if ((packet[0] & 0x10) != 0)
        {
            if (headerLength + 4 > length - extra)
            {
                return SrtpResult.Malformed;
            }

            headerLength += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(headerLength + 2)..]));
        }

        if (headerLength > length - extra)
        {
            return SrtpResult.Malformed;
        }

        sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        return SrtpResult.Ok;
    }

    private static SrtpResult ReadRtcpHeader(ReadOnlySpan<byte> buffer, int length, int extra, out uint ssrc)
    {
        ssrc = 0;
        if (length < SrtpTransform.RtcpHeaderLength + extra || length > buffer.Length)
        {
            return SrtpResult.TooShort;
        }

        if (buffer[0] >> 6 != 2)
        {
            return SrtpResult.Malformed;
        }

        ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        return SrtpResult.Ok;
    }

    public void Dispose()
    {
        rtp.Dispose();
        rtcp.Dispose();
    }
}
