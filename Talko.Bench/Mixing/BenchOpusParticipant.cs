using System.Net;
using System.Net.Sockets;
using Talko.Core.Media;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Jitter;
using Talko.Core.Media.Mixing;
using Talko.Core.Media.Rtp;

namespace Talko.Bench.Mixing;

/// <summary>
/// An Opus participant that costs what a real Opus leg costs on the tick, minus the receive socket: each tick one
/// packet (encoded beforehand from the source, or a silent one) goes into an <see cref="OpusJitterBuffer"/> and is
/// decoded out of it, and the mix it is sent is packetised into an RTP datagram (optionally sent over loopback).
/// </summary>
internal sealed class BenchOpusParticipant : IMixerParticipant
{
    private readonly byte[][] packets;
    private readonly OpusJitterBuffer jitter;
    private readonly byte[] packet = new byte[RtpHeader.FixedLength + OpusFormat.MaxPacketBytes];
    private readonly Socket? socket;
    private readonly SocketAddress? target;
    private int position;
    private uint timestamp;
    private ushort sequence;

    private readonly byte level;

    // audioLevel: the RFC 6464 level each packet carries (as a browser labels them), or OpusJitterBuffer.NoLevel.
    public BenchOpusParticipant(
        int index, byte[][] packets, OpusCodecs codecs, int bitrate, Socket? socket = null, IPEndPoint? target = null, byte audioLevel = OpusJitterBuffer.NoLevel)
    {
        level = audioLevel;
        this.packets = packets;
        this.socket = socket;
        this.target = target?.Serialize();
        Id = $"o{index}";
        Encoding = new SharedMixKey(AudioCodec.Opus, bitrate);
        position = index * 7 % packets.Length;
        jitter = new OpusJitterBuffer(codecs.CreateDecoder(), depth: 1);
    }

    public string Id { get; }

    public SharedMixKey Encoding { get; }

    /// <summary>Encodes <paramref name="source"/> (48 kHz) into 20 ms packets once, so the run measures the leg, not the sender.</summary>
    public static byte[][] Encode(short[] source, OpusCodecs codecs, int bitrate)
    {
        using var encoder = codecs.CreateEncoder(bitrate);
        var output = new byte[OpusFormat.MaxPacketBytes];
        var result = new List<byte[]>();
        for (var start = 0; start + OpusFormat.FrameSamples <= source.Length; start += OpusFormat.FrameSamples)
        {
            var length = encoder.Encode(source.AsSpan(start, OpusFormat.FrameSamples), output);
            result.Add(output[..length]);
        }

        return [.. result];
    }

    /// <summary>The tick's packet arrives (the mixer peeks once per tick, before reading or skipping), as on a real leg.</summary>
    public FrameOutlook PeekFrame()
    {
        jitter.Insert(timestamp, packets[position], level);
        position = (position + 1) % packets.Length;
        timestamp += OpusFormat.FrameSamples;
        return jitter.Peek();
    }

    public bool ReadFrame(Span<short> frame) => jitter.Read(frame) != OpusFrameSource.Silence;

    public void SkipFrame(Span<short> scratch) => jitter.Skip();

    public void WriteFrame(ReadOnlySpan<byte> encoded)
    {
        var length = RtpPacket.Write(packet, false, (byte)AudioCodec.Opus, sequence++, timestamp, 0x4321, encoded);
        if (socket is not null)
        {
            try
            {
                socket.SendTo(packet.AsSpan(0, length), SocketFlags.None, target!);
            }
            catch (SocketException)
            {
                // A full loopback buffer drops datagrams; the cost of the call is what is measured.
            }
        }
    }
}
