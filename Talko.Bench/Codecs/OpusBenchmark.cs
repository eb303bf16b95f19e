using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Bench.Mixing;
using Talko.Core.Media.Codecs.Opus;

namespace Talko.Bench.Codecs;

/// <summary>
/// Cost of one 20 ms Opus frame (48 kHz mono) to encode and to decode, native libopus against Concentus, at several
/// complexities: the figures Talko:Media:Opus:Complexity is chosen from. The signal is voice-like (harmonics with a
/// syllable-rate swell plus a little noise) so the encoder works as it would on speech; bytes/frame shows the bitrate held.
/// </summary>
internal static class OpusBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var runs = BenchArguments.Int(args, "--runs", 5);
        var frames = BenchArguments.Int(args, "--frames", 500);
        var bitrate = BenchArguments.Int(args, "--bitrate", 32000);
        var complexities = new[] { 0, 2, 5, 8, 10 };
        var signal = VoiceLike(frames);

        Console.WriteLine($"Opus per 20 ms frame (48 kHz mono, {bitrate} b/s VBR, FEC on): {Environment.ProcessorCount} logical cores, load average {MixerBenchmark.LoadAverage()}, {runs} runs x {frames} frames, medians across runs");
        Console.WriteLine($"{"implementation",-22} {"complexity",10} {"encode us",10} {"decode us",10} {"bytes/frame",12} {"B alloc/frame",14}");
        foreach (var implementation in new[] { OpusImplementation.Native, OpusImplementation.Managed })
        {
            var codecs = new OpusCodecs(new OpusOptions { Implementation = implementation }, NullLogger.Instance);

            // One throwaway pass so tiered JIT has settled before the first complexity is measured.
            Measure(codecs, 5, bitrate, signal, frames);
            foreach (var complexity in complexities)
            {
                var results = Enumerable.Range(0, runs).Select(_ => Measure(codecs, complexity, bitrate, signal, frames)).ToList();
                Console.WriteLine($"{codecs.Description,-22} {complexity,10} {MixerBenchmark.Median(results.Select(r => r.EncodeUs)),10:F1} " +
                    $"{MixerBenchmark.Median(results.Select(r => r.DecodeUs)),10:F1} {MixerBenchmark.Median(results.Select(r => r.BytesPerFrame)),12:F1} " +
                    $"{MixerBenchmark.Median(results.Select(r => r.AllocatedPerFrame)),14:F1}");
            }
        }

        return Task.FromResult(0);
    }

    private static Result Measure(OpusCodecs codecs, int complexity, int bitrate, short[] signal, int frames)
    {
        using var encoder = codecs.CreateEncoder(new OpusEncoderSettings(bitrate, complexity, InbandFec: true, codecs.Options.ExpectedPacketLossPercent));
        using var decoder = codecs.CreateDecoder();
        var packets = new byte[frames][];
        var packet = new byte[OpusFormat.MaxPacketBytes];
        var pcm = new short[OpusFormat.FrameSamples];

        // Warm-up outside the clock: JIT and the codecs' first-frame set-up.
        for (var n = 0; n < 20; n++)
        {
            encoder.Encode(signal.AsSpan(n * OpusFormat.FrameSamples, OpusFormat.FrameSamples), packet);
        }

        long bytes = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var n = 0; n < frames; n++)
        {
            var length = encoder.Encode(signal.AsSpan(n * OpusFormat.FrameSamples, OpusFormat.FrameSamples), packet);
            bytes += length;
            packets[n] = packet[..length];
        }

        var encodeTicks = watch.Elapsed;
        var encodeAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore - packets.Sum(p => p.Length + 24L);
        allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        watch.Restart();
        foreach (var p in packets)
        {
            decoder.Decode(p, pcm);
        }

        var decodeTicks = watch.Elapsed;
        var decodeAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return new Result(
            encodeTicks.TotalMicroseconds / frames,
            decodeTicks.TotalMicroseconds / frames,
            (double)bytes / frames,
            Math.Max(0, encodeAllocated + decodeAllocated) / (double)frames);
    }

    internal static short[] VoiceLike(int frames)
    {
        var random = new Random(16);
        var samples = new short[(frames + 20) * OpusFormat.FrameSamples];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / OpusFormat.SampleRate;
            var swell = 0.6 + (0.4 * Math.Sin(2 * Math.PI * 3 * t));
            var pitch = 140 + (20 * Math.Sin(2 * Math.PI * 0.5 * t));
            samples[i] = (short)((swell * ((4000 * Math.Sin(2 * Math.PI * pitch * t)) + (2500 * Math.Sin(2 * Math.PI * 2 * pitch * t))
                + (1500 * Math.Sin(2 * Math.PI * 3 * pitch * t)) + (800 * Math.Sin(2 * Math.PI * 7 * pitch * t)))) + random.Next(-300, 300));
        }

        return samples;
    }

    private sealed record Result(double EncodeUs, double DecodeUs, double BytesPerFrame, double AllocatedPerFrame);
}
