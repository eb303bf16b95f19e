using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Talko.Core.Media;
using Talko.Core.Media.Codecs;
using Talko.Core.Media.Mixing;
using Talko.Core.Media.Rtp;
using Talko.Tests.Core.Media;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// The audio side of a sipp leg: the SDP names this socket, so the server's mix arrives here. Like a phone behind
/// NAT, it learns the server's RTP address from the first packet it hears (symmetric RTP) and then talks to it.
/// </summary>
internal sealed class CallAudioPeer : IAsyncDisposable
{
    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task receiving;
    private readonly Lock gate = new();
    private readonly List<short> heard = [];
    private readonly TaskCompletionSource<IPEndPoint> server = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CallAudioPeer()
    {
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        receiving = Task.Run(ReceiveAsync);
    }

    public int Port { get; }

    public Task<IPEndPoint> Server => server.Task;

    /// <summary>
    /// When the last <see cref="TalkAsync"/> sent its first tone frame (<see cref="Stopwatch.GetTimestamp"/>), or null:
    /// what a test compares the server's talker times with, since a loaded machine may start a talker late.
    /// </summary>
    public long? FirstToneSentAt { get; private set; }

    /// <summary>
    /// When the last <see cref="TalkAsync"/> sent the tone frame that completed the mixer's talker onset (the default
    /// <see cref="TalkerDetectionOptions.StartFrames"/> tone frames in a row), or null. A stall of this process between
    /// the first tone frame and that one delays the server's talker start by as much, while the first frame's time
    /// does not move: talker times are compared with this one.
    /// </summary>
    public long? ToneOnsetSentAt { get; private set; }

    /// <summary>
    /// How long the last <see cref="TalkAsync"/> took from its first tone frame to its last: the talk's length as sent.
    /// A stalled test process sends the frames it owes late and in a burst, and the server hears a longer talk.
    /// </summary>
    public TimeSpan ToneSentOver { get; private set; }

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
    /// Sends paced 20 ms PCMU frames: <paramref name="tone"/> gives each frame's frequency (null: silence). A frame for
    /// which <paramref name="lose"/> holds is not sent but still uses its sequence number, as a packet lost on the way.
    /// </summary>
    public async Task TalkAsync(int frames, Func<int, double?> tone, Func<int, bool>? lose = null)
    {
        var target = await Server.WaitAsync(TimeSpan.FromSeconds(15));
        var pcm = new short[160];
        var payload = new byte[160];
        var packet = new byte[172];
        var ssrc = (uint)Random.Shared.Next();
        var timestamp = (uint)Random.Shared.Next();
        var sequence = (ushort)Random.Shared.Next();
        var clock = Stopwatch.StartNew();
        FirstToneSentAt = null;
        ToneOnsetSentAt = null;
        ToneSentOver = TimeSpan.Zero;
        var onsetFrames = new TalkerDetectionOptions().StartFrames;
        var toneRun = 0;
        for (var n = 0; n < frames; n++)
        {
            var wait = TimeSpan.FromMilliseconds(n * 20) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            if (tone(n) is { } frequency)
            {
                AudioSignals.Tone(pcm, frequency, 8000, n * 160L);
            }
            else
            {
                Array.Clear(pcm);
            }

            G711.Encode(AudioCodec.Pcmu, pcm, payload);
            var length = RtpPacket.Write(packet, n == 0, (byte)AudioCodec.Pcmu, sequence++, timestamp, ssrc, payload);
            timestamp += 160;
            if (lose?.Invoke(n) == true)
            {
                toneRun = 0;
                continue;
            }

            await socket.SendToAsync(packet.AsMemory(0, length), target);
            if (tone(n) is not null)
            {
                var sentAt = Stopwatch.GetTimestamp();
                FirstToneSentAt ??= sentAt;
                ToneSentOver = Stopwatch.GetElapsedTime(FirstToneSentAt.Value, sentAt);
                if (++toneRun == onsetFrames)
                {
                    ToneOnsetSentAt ??= sentAt;
                }
            }
            else
            {
                toneRun = 0;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket.Dispose();
        await receiving.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stopping.Dispose();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[2048];
        var pcm = new short[1024];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (RtpPacket.TryParse(buffer.AsSpan(0, result.ReceivedBytes), out var header) != RtpParseResult.Ok
                || header.PayloadType != (byte)AudioCodec.Pcmu || header.PayloadLength > pcm.Length)
            {
                continue;
            }

            server.TrySetResult((IPEndPoint)result.RemoteEndPoint);
            var samples = header.PayloadLength;
            G711.Decode(AudioCodec.Pcmu, buffer.AsSpan(header.PayloadOffset, samples), pcm.AsSpan(0, samples));
            lock (gate)
            {
                heard.AddRange(pcm.AsSpan(0, samples));
            }
        }
    }
}
