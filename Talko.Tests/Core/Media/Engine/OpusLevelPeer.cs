using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Engine;

/// <summary>
/// An Opus RTP endpoint on loopback that sends, like a browser, an RFC 6464 audio level in a one-byte header extension
/// (RFC 8285) with every packet, and decodes what it receives to 48 kHz.
/// </summary>
internal sealed class OpusLevelPeer : IAsyncDisposable
{
    public const byte PayloadType = 111;
    public const int LevelExtensionId = 1;

    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task receiving;
    private readonly Lock gate = new();
    private readonly List<short> heard = [];
    private readonly IOpusFrameEncoder encoder;
    private readonly IOpusFrameDecoder decoder;
    private readonly uint ssrc = (uint)Random.Shared.Next();

    public OpusLevelPeer(OpusCodecs codecs)
    {
        encoder = codecs.CreateEncoder(new OpusEncoderSettings(32000, 5, InbandFec: false, ExpectedPacketLossPercent: 0));
        decoder = codecs.CreateDecoder();
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        receiving = Task.Run(ReceiveLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public short[] Heard
    {
        get
        {
            lock (gate)
            {
                return [.. heard];
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="frames"/> 20 ms frames in real time: a tone at <paramref name="frequency"/> Hz and
    /// <paramref name="amplitude"/> (0: digital silence), each packet labelled with the tone's level.
    /// </summary>
    public async Task SendAsync(IPEndPoint target, int frames, double frequency, double amplitude)
    {
        var pcm = new short[OpusFormat.FrameSamples];
        var payload = new byte[OpusFormat.MaxPacketBytes];
        var packet = new byte[20 + OpusFormat.MaxPacketBytes];
        var level = LevelOf(amplitude);
        var clock = Stopwatch.StartNew();
        var timestamp = (uint)Random.Shared.Next();
        var sequence = (ushort)Random.Shared.Next();
        for (var n = 0; n < frames; n++)
        {
            var wait = TimeSpan.FromMilliseconds(n * 20) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            if (amplitude > 0)
            {
                AudioSignals.Tone(pcm, frequency, amplitude, n * (long)OpusFormat.FrameSamples, OpusFormat.SampleRate);
            }

            var length = encoder.Encode(pcm, payload);
            packet[0] = 0x90; // version 2, header extension
            packet[1] = (byte)((n == 0 ? 0x80 : 0) | PayloadType);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence++);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), RtpAudioLevel.OneByteProfile);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), 1);
            packet[16] = LevelExtensionId << 4; // one data byte
            packet[17] = (byte)((amplitude > 0 ? 0x80 : 0) | level);
            packet[18] = 0;
            packet[19] = 0;
            payload.AsSpan(0, length).CopyTo(packet.AsSpan(20));
            timestamp += OpusFormat.FrameSamples;
            await socket.SendToAsync(packet.AsMemory(0, 20 + length), target);
        }
    }

    /// <summary>RFC 6464's level of a sine of this amplitude: its RMS in -dBov, 127 for silence.</summary>
    public static byte LevelOf(double amplitude) =>
        amplitude <= 0 ? RtpAudioLevel.Silence : (byte)Math.Clamp(Math.Round(-20 * Math.Log10(amplitude / Math.Sqrt(2) / 32768)), 0, 127);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket.Dispose();
        await receiving.WaitAsync(TimeSpan.FromSeconds(5));
        stopping.Dispose();
        encoder.Dispose();
        decoder.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        var pcm = new short[OpusFormat.FrameSamples];
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stopping.Token);
                if (RtpPacket.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var header) != RtpParseResult.Ok)
                {
                    continue;
                }

                var samples = decoder.Decode(buffer.AsSpan(header.PayloadOffset, header.PayloadLength), pcm);
                if (samples > 0)
                {
                    lock (gate)
                    {
                        heard.AddRange(pcm.AsSpan(0, samples));
                    }
                }
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
                // ICMP errors from earlier sends; keep receiving.
            }
        }
    }
}
