using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Bench.Mixing;
using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Bench.Codecs;

/// <summary>
/// The figures behind the mixer's rate (ADR 0810): what each per-tick operation of a wideband mix costs at 16 kHz and at
/// 48 kHz — an Opus decode (per talker), an Opus encode (per talker's mix-minus and per shared mix), a G.711 leg's
/// resampling in and out, and the mix arithmetic over one frame (sum, mix-minus, saturation) — and from them the cost of
/// one tick of a call with 3 talkers, one Opus and one G.711 shared mix.
/// </summary>
internal static class WidebandMixBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var runs = BenchArguments.Int(args, "--runs", 5);
        var frames = BenchArguments.Int(args, "--frames", 1000);
        var codecs = new OpusCodecs(new OpusOptions(), NullLogger.Instance);
        Console.WriteLine($"Wideband mix operations per 20 ms tick ({codecs.Description}, complexity {codecs.Options.Complexity}, {codecs.Options.Bitrate} b/s): " +
            $"{Environment.ProcessorCount} logical cores, load average {MixerBenchmark.LoadAverage()}, {runs} runs x {frames} frames, medians");
        Console.WriteLine($"{"mix rate",8} {"decode us",10} {"encode us",10} {"G.711 in+out us",16} {"mix us/frame",13} {"3-talker tick us",17}");
        foreach (var rate in new[] { 16000, 48000 })
        {
            var frame = rate / 50;
            var signal = Voice(rate, frames + 20);
            using var encoder = codecs.CreateEncoder(new OpusEncoderSettings(codecs.Options.Bitrate, codecs.Options.Complexity, SampleRate: rate));
            var packets = new byte[frames][];
            var packet = new byte[OpusFormat.MaxPacketBytes];
            for (var n = 0; n < frames; n++)
            {
                packets[n] = packet[..encoder.Encode(signal.AsSpan(n * frame, frame), packet)];
            }

            var pcm = new short[frame];
            var decode = Median(runs, () =>
            {
                using var decoder = codecs.CreateDecoder(rate);
                return Time(frames, n => decoder.Decode(packets[n], pcm));
            });
            var encode = Median(runs, () =>
            {
                using var e = codecs.CreateEncoder(new OpusEncoderSettings(codecs.Options.Bitrate, codecs.Options.Complexity, SampleRate: rate));
                return Time(frames, n => e.Encode(signal.AsSpan(n * frame, frame), packet));
            });
            var up = Resampler.Create(8000, rate, 160);
            var down = Resampler.Create(rate, 8000, frame);
            var narrow = new short[160];
            var g711 = new byte[160];
            var resample = Median(runs, () => Time(frames, n =>
            {
                MuLaw.Decode(g711, narrow);
                up.Process(narrow, pcm);
                down.Process(signal.AsSpan(n * frame, frame), narrow);
                MuLaw.Encode(narrow, g711);
            }));
            var sum = new int[frame];
            var output = new short[frame];
            var mix = Median(runs, () => Time(frames, n =>
            {
                // What the mixer does per talker per tick: add into the 32-bit sum, then its mix-minus saturated to 16 bits.
                var talker = signal.AsSpan(n * frame, frame);
                for (var i = 0; i < frame; i++)
                {
                    sum[i] += talker[i];
                }

                for (var i = 0; i < frame; i++)
                {
                    output[i] = (short)Math.Clamp(sum[i] - talker[i], short.MinValue, short.MaxValue);
                }
            }));

            // 3 Opus talkers: 3 decodes, 3 mix-minus encodes and one shared Opus mix; one shared G.711 mix (resampled
            // down once) for every narrowband listener; the mix arithmetic for the 3 talkers plus the shared mix.
            var tick = (3 * decode) + (4 * encode) + (resample / 2) + (4 * mix);
            Console.WriteLine($"{rate,8} {decode,10:F1} {encode,10:F1} {resample,16:F1} {mix,13:F2} {tick,17:F0}");
        }

        return Task.FromResult(0);
    }

    private static double Median(int runs, Func<double> run)
    {
        run(); // warm-up
        return MixerBenchmark.Median(Enumerable.Range(0, runs).Select(_ => run()));
    }

    private static double Time(int frames, Action<int> operation)
    {
        var watch = Stopwatch.StartNew();
        for (var n = 0; n < frames; n++)
        {
            operation(n);
        }

        return watch.Elapsed.TotalMicroseconds / frames;
    }

    private static short[] Voice(int rate, int frames)
    {
        var random = new Random(8);
        var samples = new short[frames * rate / 50];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / rate;
            var swell = 0.6 + (0.4 * Math.Sin(2 * Math.PI * 3 * t));
            samples[i] = (short)((swell * ((4000 * Math.Sin(2 * Math.PI * 140 * t)) + (2500 * Math.Sin(2 * Math.PI * 280 * t)) + (800 * Math.Sin(2 * Math.PI * 980 * t)))) + random.Next(-300, 300));
        }

        return samples;
    }
}
