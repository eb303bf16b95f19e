using System.Net;
using System.Net.Sockets;
using Talko.Core.Media;
using Talko.Core.Media.Jitter;
using Talko.Core.Media.Mixing;
using Talko.Core.Media.Rtp;

namespace Talko.Bench.Mixing;

/// <summary>
/// A G.711 participant that costs what a real leg costs on the tick, minus the socket call: its frame goes
/// through a jitter buffer (insert + read) and up to the mix's 48 kHz, and its mix-minus is packetised into an RTP datagram.
/// </summary>
internal sealed class BenchParticipant : IMixerParticipant
{
    private readonly short[] source;
    private readonly JitterBuffer jitter;
    private readonly Resampler up = Resampler.Create(8000, 48000, 160);
    private readonly short[] narrow = new short[160];
    private readonly byte[] packet = new byte[RtpHeader.FixedLength + 160];
    private readonly bool speaking;
    private int position;
    private uint timestamp;
    private ushort sequence;

    private readonly Socket? socket;
    private readonly SocketAddress? target;

    public BenchParticipant(int index, short[] source, bool speaking, TimeProvider timeProvider, Socket? socket = null, IPEndPoint? target = null)
    {
        this.socket = socket;
        this.target = target?.Serialize();
        Id = $"p{index}";
        Codec = index % 2 == 0 ? AudioCodec.Pcmu : AudioCodec.Pcma;
        Encoding = new SharedMixKey(Codec, 0);
        this.source = source;
        this.speaking = speaking;
        position = (index * 977) % (source.Length - 160);
        jitter = new JitterBuffer(new JitterBufferOptions { MinDepth = TimeSpan.FromMilliseconds(20) }, timeProvider);
    }

    public string Id { get; }

    public AudioCodec Codec { get; }

    public SharedMixKey Encoding { get; }

    public long BytesSent { get; private set; }

    public bool ReadFrame(Span<short> frame)
    {
        // Receive side: what the RTP loop would insert for this tick (silence is still a packet).
        ReadOnlySpan<short> input = speaking ? source.AsSpan(position, 160) : SilentFrame;
        position = (position + 160) % (source.Length - 160);
        jitter.Insert(timestamp, input);
        timestamp += 160;
        if (jitter.Read(narrow) != JitterFrameKind.Audio)
        {
            return false;
        }

        up.Process(narrow, frame);
        return true;
    }

    public void WriteFrame(ReadOnlySpan<byte> encoded)
    {
        var length = RtpPacket.Write(packet, false, (byte)Codec, sequence++, timestamp, 0x1234, encoded);
        BytesSent += length;
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

    private static ReadOnlySpan<short> SilentFrame => new short[160];
}
