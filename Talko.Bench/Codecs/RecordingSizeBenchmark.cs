using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Bench.Mixing;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Recording;

namespace Talko.Bench.Codecs;

/// <summary>
/// Bytes a recorded hour takes: the real recorders (<see cref="OggOpusRecorder"/> on the 48 kHz mix, as calls record
/// since ADR 0812, at several recording bitrates; <see cref="WavRecorder"/> on the 8 kHz mix, as before), fed the same
/// voice-like signal, files measured on disk with headers and Ogg framing. Also the writer's encode time per hour.
/// </summary>
internal static class RecordingSizeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = BenchArguments.Int(args, "--seconds", 60);
        var complexity = BenchArguments.Int(args, "--complexity", 5);
        var frames = seconds * 50;
        var wide = OpusBenchmark.VoiceLike(frames);
        var directory = Directory.CreateTempSubdirectory("talko-recording-size").FullName;
        try
        {
            Console.WriteLine($"Recording size per hour: {seconds} s of a voice-like mix, complexity {complexity}, {Environment.ProcessorCount} logical cores, load average {MixerBenchmark.LoadAverage()}");
            Console.WriteLine($"{"format",-28} {"kb/s",8} {"MB/hour",9} {"vs WAV",8} {"encode s/hour",14}");
            var wavBytesPerHour = await WavAsync(directory, wide, frames, seconds);
            Console.WriteLine($"{"WAV 16-bit 8 kHz",-28} {wavBytesPerHour * 8 / 3600 / 1000,8:F1} {wavBytesPerHour / 1e6,9:F1} {1.0,8:F3} {"-",14}");
            foreach (var bitrate in new[] { 16000, 20000, 24000 })
            {
                var codecs = new OpusCodecs(new OpusOptions { RecordingBitrate = bitrate, RecordingComplexity = complexity }, NullLogger.Instance);
                var path = Path.Combine(directory, $"r{bitrate}.opus");
                var clock = Stopwatch.StartNew();
                var recorder = new OggOpusRecorder(path, OpusFormat.SampleRate, OpusFormat.FrameSamples, codecs, new RecordingOptions { QueueFrames = frames + 1 }, NullLogger.Instance);
                for (var n = 0; n < frames; n++)
                {
                    recorder.WriteMix(wide.AsSpan(n * OpusFormat.FrameSamples, OpusFormat.FrameSamples));
                }

                await recorder.DisposeAsync();
                var encodeSeconds = clock.Elapsed.TotalSeconds;
                var perHour = new FileInfo(path).Length * 3600.0 / seconds;
                Console.WriteLine($"{$"Ogg Opus {bitrate / 1000} kb/s ({codecs.Description})",-28} {perHour * 8 / 3600 / 1000,8:F1} {perHour / 1e6,9:F1} " +
                    $"{perHour / wavBytesPerHour,8:F3} {encodeSeconds * 3600 / seconds,14:F1}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        return 0;
    }

    private static async Task<double> WavAsync(string directory, short[] wide, int frames, int seconds)
    {
        var path = Path.Combine(directory, "r.wav");
        var recorder = new WavRecorder(path, 8000, 160, new RecordingOptions { QueueFrames = frames + 1 }, TimeProvider.System, NullLogger.Instance);
        var sink = new RateMatchedMixSink(recorder, 8000);
        for (var n = 0; n < frames; n++)
        {
            sink.WriteMix(wide.AsSpan(n * OpusFormat.FrameSamples, OpusFormat.FrameSamples));
        }

        await recorder.DisposeAsync();
        return new FileInfo(path).Length * 3600.0 / seconds;
    }
}
