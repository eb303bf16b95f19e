using System.Diagnostics;
using Talko.Bench.Mixing;
using Talko.Core.Media.Mixing;

namespace Talko.Bench.Codecs;

/// <summary>Cost of resampling one 20 ms frame between a narrowband leg's rate and 48 kHz, each direction, and what it allocates.</summary>
internal static class ResamplerBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var runs = BenchArguments.Int(args, "--runs", 5);
        var frames = BenchArguments.Int(args, "--frames", 5000);
        Console.WriteLine($"Resampler per 20 ms frame: {Environment.ProcessorCount} logical cores, load average {MixerBenchmark.LoadAverage()}, {runs} runs x {frames} frames, medians across runs");
        Console.WriteLine($"{"direction",-16} {"us/frame",9} {"delay ms",9} {"B alloc/frame",14}");
        foreach (var (from, to) in new[] { (8000, 48000), (48000, 8000), (16000, 48000), (48000, 16000) })
        {
            var resampler = Resampler.Create(from, to, from / 50);
            var input = new short[from / 50];
            var random = new Random(1);
            for (var i = 0; i < input.Length; i++)
            {
                input[i] = (short)random.Next(-10000, 10000);
            }

            var output = new short[resampler.OutputLength(input.Length)];
            var costs = new List<double>();
            var allocations = new List<double>();
            for (var run = 0; run < runs + 1; run++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                for (var n = 0; n < frames; n++)
                {
                    resampler.Process(input, output);
                }

                if (run > 0)
                {
                    costs.Add(watch.Elapsed.TotalMicroseconds / frames);
                    allocations.Add((GC.GetAllocatedBytesForCurrentThread() - before) / (double)frames);
                }
            }

            Console.WriteLine($"{$"{from} -> {to}",-16} {MixerBenchmark.Median(costs),9:F2} {resampler.Delay.TotalMilliseconds,9:F3} {MixerBenchmark.Median(allocations),14:F1}");
        }

        return Task.FromResult(0);
    }
}
