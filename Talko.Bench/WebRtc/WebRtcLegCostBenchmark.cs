using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Bench.Codecs;
using Talko.Bench.Mixing;
using Talko.Core.Media;
using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Bench.WebRtc;

/// <summary>
/// Issue 17's "WebRTC legs per core against plain Opus legs": the per-leg work of one 20 ms frame each way, run side
/// by side in alternating rounds on one thread. A plain Opus leg decodes the frame it received and encodes its
/// mix-minus; a WebRTC leg with Opus also unprotects the SRTP packet and protects what it sends (AES-GCM, the profile
/// browsers get); a WebRTC leg as Talko negotiates it today (G.711, ADR 0721) does SRTP around G.711 instead. The
/// mixing itself and the sockets are the same for every kind and left out. The cost is the thread's CPU time
/// (CLOCK_THREAD_CPUTIME_ID), so time the shared machine spends on other processes is not counted; the wall time is
/// shown too. Legs per core = 20 ms / the CPU cost.
/// </summary>
internal static partial class WebRtcLegCostBenchmark
{
    private const int RtpHeader = 12;
    private const int ClockThreadCpuTime = 3;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static double ThreadCpuMicroseconds() =>
        ClockGetTime(ClockThreadCpuTime, out var now) == 0 ? now.Seconds * 1e6 + now.Nanoseconds / 1e3 : throw new InvalidOperationException("clock_gettime failed");

    public static Task<int> RunAsync(string[] args)
    {
        var rounds = BenchArguments.Int(args, "--rounds", 7);
        var frames = BenchArguments.Int(args, "--frames", 1000);
        var profile = BenchArguments.String(args, "--profile") == "cm" ? SrtpProfile.AesCm128HmacSha1_80 : SrtpProfile.AeadAes128Gcm;
        var opus = new OpusOptions();
        var codecs = new OpusCodecs(opus, NullLogger.Instance);
        var signal = OpusBenchmark.VoiceLike(frames);
        var kinds = new (string Name, Func<(double Cpu, double Wall)> Measure)[]
        {
            ("opus", () => Measure(codecs, opus, signal, frames, srtp: null, opusCodec: true)),
            ("webrtc-opus", () => Measure(codecs, opus, signal, frames, srtp: profile, opusCodec: true)),
            ("webrtc-g711", () => Measure(codecs, opus, signal, frames, srtp: profile, opusCodec: false)),
        };

        Console.WriteLine($"Per-leg cost of one 20 ms frame each way ({codecs.Description}, complexity {opus.Complexity}, {opus.Bitrate} b/s; SRTP {profile}): "
            + $"{Environment.ProcessorCount} logical cores, load average {MixerBenchmark.LoadAverage()}, {rounds} alternating rounds x {frames} frames");
        foreach (var kind in kinds)
        {
            kind.Measure(); // JIT and first-use set-up outside the figures
        }

        var results = kinds.ToDictionary(k => k.Name, _ => new List<(double Cpu, double Wall)>());
        for (var round = 0; round < rounds; round++)
        {
            // Rotate the order every round so a burst of load from the shared machine does not always hit the same kind.
            for (var i = 0; i < kinds.Length; i++)
            {
                var kind = kinds[(i + round) % kinds.Length];
                results[kind.Name].Add(kind.Measure());
            }
        }

        var opusMedian = MixerBenchmark.Median(results["opus"].Select(r => r.Cpu));
        Console.WriteLine($"{"leg",-12} {"CPU us",8} {"min",8} {"max",8} {"wall us",8} {"legs/core",10} {"cost vs opus",13}");
        foreach (var (name, values) in results)
        {
            var cpu = values.Select(v => v.Cpu).ToList();
            var median = MixerBenchmark.Median(cpu);
            Console.WriteLine($"{name,-12} {median,8:F1} {cpu.Min(),8:F1} {cpu.Max(),8:F1} {MixerBenchmark.Median(values.Select(v => v.Wall)),8:F1} {20_000 / median,10:F0} {median / opusMedian,13:F2}");
        }

        Console.WriteLine($"load average at the end {MixerBenchmark.LoadAverage()}");
        return Task.FromResult(0);
    }

    /// <summary>Microseconds per frame of one leg, thread CPU and wall: receive (unprotect, decode) and send (encode, protect).</summary>
    private static (double Cpu, double Wall) Measure(OpusCodecs codecs, OpusOptions opus, short[] signal, int frames, SrtpProfile? srtp, bool opusCodec)
    {
        using var encoder = opusCodec ? codecs.CreateEncoder(new OpusEncoderSettings(opus.Bitrate, opus.Complexity, InbandFec: true, opus.ExpectedPacketLossPercent)) : null;
        using var decoder = opusCodec ? codecs.CreateDecoder() : null;
        var samples = opusCodec ? OpusFormat.FrameSamples : 160;
        var key = new byte[SrtpProfileSizes.MasterKeyLength];
        var salt = new byte[(srtp ?? SrtpProfile.AeadAes128Gcm).MasterSaltLength()];
        Random.Shared.NextBytes(key);
        using var peerSender = srtp is { } p1 ? new SrtpContext(p1, key, salt) : null;
        using var receiver = srtp is { } p2 ? new SrtpContext(p2, key, salt) : null;
        using var sender = srtp is { } p3 ? new SrtpContext(p3, key, salt) : null;

        // What the peer sends, made (and protected) before the clock starts.
        var incoming = new byte[frames][];
        var payload = new byte[OpusFormat.MaxPacketBytes];
        using (var peerEncoder = opusCodec ? codecs.CreateEncoder(new OpusEncoderSettings(opus.Bitrate, opus.Complexity, InbandFec: true, opus.ExpectedPacketLossPercent)) : null)
        {
            for (var n = 0; n < frames; n++)
            {
                var frame = signal.AsSpan(n * samples % (signal.Length - samples), samples);
                var length = peerEncoder?.Encode(frame, payload) ?? samples;
                if (peerEncoder is null)
                {
                    G711.Encode(AudioCodec.Pcmu, frame, payload);
                }

                var packet = new byte[RtpHeader + length + 32];
                Header(packet, (ushort)n, 0xAAAA);
                payload.AsSpan(0, length).CopyTo(packet.AsSpan(RtpHeader));
                var wire = RtpHeader + length;
                if (peerSender is not null)
                {
                    peerSender.ProtectRtp(packet, wire, out wire);
                }

                incoming[n] = packet[..wire];
            }
        }

        var pcm = new short[OpusFormat.FrameSamples];
        var buffer = new byte[OpusFormat.MaxPacketBytes + RtpHeader + 32];
        var outgoing = new byte[OpusFormat.MaxPacketBytes + RtpHeader + 32];
        long checksum = 0;
        var cpuStart = ThreadCpuMicroseconds();
        var watch = Stopwatch.StartNew();
        for (var n = 0; n < frames; n++)
        {
            // Receive: the datagram as the socket gives it, unprotected in place, decoded.
            var received = incoming[n];
            received.CopyTo(buffer, 0);
            var plain = received.Length;
            if (receiver is not null && receiver.UnprotectRtp(buffer.AsSpan(0, received.Length), out plain) != SrtpResult.Ok)
            {
                throw new InvalidOperationException("SRTP did not authenticate");
            }

            var body = buffer.AsSpan(RtpHeader, plain - RtpHeader);
            if (decoder is not null)
            {
                decoder.Decode(body, pcm);
            }
            else
            {
                G711.Decode(AudioCodec.Pcmu, body, pcm.AsSpan(0, 160));
            }

            // Send: the mix-minus (here the signal again) encoded, put in RTP and protected.
            var mix = signal.AsSpan((n + 7) * samples % (signal.Length - samples), samples);
            Header(outgoing, (ushort)n, 0xBBBB);
            int encoded;
            if (encoder is not null)
            {
                encoded = encoder.Encode(mix, outgoing.AsSpan(RtpHeader, OpusFormat.MaxPacketBytes));
            }
            else
            {
                G711.Encode(AudioCodec.Pcmu, mix, outgoing.AsSpan(RtpHeader, 160));
                encoded = 160;
            }

            var length = RtpHeader + encoded;
            if (sender is not null)
            {
                sender.ProtectRtp(outgoing, length, out length);
            }

            checksum += length + pcm[0];
        }

        var elapsed = watch.Elapsed;
        var cpu = ThreadCpuMicroseconds() - cpuStart;
        GC.KeepAlive(checksum);
        return (cpu / frames, elapsed.TotalMicroseconds / frames);
    }

    private static void Header(Span<byte> packet, ushort sequence, uint ssrc)
    {
        packet[0] = 0x80;
        packet[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], sequence * 960u);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
    }
}
