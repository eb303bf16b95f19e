using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Talko.Core.Media;
using Talko.Core.Media.Codecs;
using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Engine;

/// <summary>A minimal independent RTP endpoint on loopback: sends paced G.711 frames and keeps what it receives.</summary>
internal sealed class RtpTestPeer : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task receiving;
    private readonly Lock gate = new();
    private readonly List<short> heard = [];
    private readonly List<RtpHeader> headers = [];
    private readonly uint ssrc = (uint)Random.Shared.Next();

    public RtpTestPeer(AudioCodec codec, IPAddress? address = null)
    {
        Codec = codec;
        address ??= IPAddress.Loopback;
        socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        receiving = Task.Run(ReceiveLoopAsync);
    }

    public AudioCodec Codec { get; }

    public IPEndPoint EndPoint { get; }

    public uint Ssrc => ssrc;

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

    public int PacketsReceived
    {
        get
        {
            lock (gate)
            {
                return headers.Count;
            }
        }
    }

    /// <summary>
    /// How far behind its 20 ms schedule the last <see cref="SendAsync"/> sent its latest frame: a stalled test
    /// process sends late, and to the engine that is silence followed by a burst, whatever the engine does.
    /// </summary>
    public TimeSpan LongestLateness { get; private set; }

    public IReadOnlyList<RtpHeader> Headers
    {
        get
        {
            lock (gate)
            {
                return [.. headers];
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="frames"/> 20 ms frames in real time; <paramref name="tone"/> says for each frame
    /// which frequency to send (null = digital silence).
    /// </summary>
    public async Task SendAsync(IPEndPoint target, int frames, Func<int, double?> tone, double amplitude = 8000, uint? ssrcOverride = null)
    {
        var packetSsrc = ssrcOverride ?? ssrc;
        var pcm = new short[160];
        var payload = new byte[160];
        var packet = new byte[172];
        var clock = Stopwatch.StartNew();
        var timestamp = (uint)Random.Shared.Next();
        var sequence = (ushort)Random.Shared.Next();
        LongestLateness = TimeSpan.Zero;
        for (var n = 0; n < frames; n++)
        {
            var wait = TimeSpan.FromMilliseconds(n * 20) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            else if (-wait > LongestLateness)
            {
                LongestLateness = -wait;
            }

            if (tone(n) is { } frequency)
            {
                AudioSignals.Tone(pcm, frequency, amplitude, n * 160L);
            }
            else
            {
                Array.Clear(pcm);
            }

            G711.Encode(Codec, pcm, payload);
            var length = RtpPacket.Write(packet, n == 0, (byte)Codec, sequence++, timestamp, packetSsrc, payload);
            timestamp += 160;
            await socket.SendToAsync(packet.AsMemory(0, length), target);
        }
    }

    public async Task SendRawAsync(IPEndPoint target, byte[] datagram) => await socket.SendToAsync(datagram, target);

    /// <summary>Sends one telephone event (RFC 4733): updates every 20 ms, then the end packet three times.</summary>
    public async Task SendTelephoneEventAsync(IPEndPoint target, byte payloadType, byte digit, int updates)
    {
        var packet = new byte[16];
        var payload = new byte[4];
        var timestamp = (uint)Random.Shared.Next();
        var sequence = (ushort)Random.Shared.Next();
        for (var n = 0; n < updates + 3; n++)
        {
            var end = n >= updates;
            new TelephoneEvent(digit, end, 10, (ushort)(Math.Min(n + 1, updates) * 160)).WriteTo(payload);
            var length = RtpPacket.Write(packet, n == 0, payloadType, sequence++, timestamp, ssrc, payload);
            await socket.SendToAsync(packet.AsMemory(0, length), target);
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket.Dispose();
        await receiving.WaitAsync(TimeSpan.FromSeconds(5));
        stopping.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        var pcm = new short[2048];
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0), stopping.Token);
                if (RtpPacket.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var header) != RtpParseResult.Ok)
                {
                    continue;
                }

                G711.Decode(Codec, buffer.AsSpan(header.PayloadOffset, header.PayloadLength), pcm);
                lock (gate)
                {
                    headers.Add(header);
                    heard.AddRange(pcm.AsSpan(0, header.PayloadLength));
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
