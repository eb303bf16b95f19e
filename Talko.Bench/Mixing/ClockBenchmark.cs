using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Mixing;

namespace Talko.Bench.Mixing;

/// <summary>
/// Late ticks of conference clocks on the real clock, driven from the thread pool versus dedicated timing threads
/// (MixerClockThreads), side by side and under the same load: an idle process, a thread pool kept busy with CPU
/// work (requests being served), and a thread pool blocked by synchronous waits (starvation).
/// </summary>
internal static class ClockBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = BenchArguments.Int(args, "--runs", 3);
        var seconds = BenchArguments.Int(args, "--seconds", 10);
        var conferences = BenchArguments.Int(args, "--conferences", 20);
        var participants = BenchArguments.Int(args, "--participants", 10);
        var source = MixerBenchmark.Noise(8000 * 2);
        var ticksPerRun = conferences * seconds * 50;
        Console.WriteLine($"Mixer clocks: {conferences} conferences x {participants} participants, {seconds} s per run, {runs} runs, {Environment.ProcessorCount} cores, load average {MixerBenchmark.LoadAverage()}");
        Console.WriteLine($"late or skipped ticks per run (of {ticksPerRun}); median across runs, pool and threads alternating");
        Console.WriteLine($"{"load",-10} {"thread pool",24} {"timing threads",24}");
        foreach (var load in new[] { "idle", "cpu-busy", "blocked" })
        {
            var pool = new List<double>();
            var threads = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                pool.Add(await MeasureAsync(load, dedicated: false, conferences, participants, source, TimeSpan.FromSeconds(seconds)));
                threads.Add(await MeasureAsync(load, dedicated: true, conferences, participants, source, TimeSpan.FromSeconds(seconds)));
            }

            Console.WriteLine($"{load,-10} {MixerBenchmark.Median(pool),12:F0} ({string.Join('/', pool)}) {MixerBenchmark.Median(threads),12:F0} ({string.Join('/', threads)})");
        }

        return 0;
    }

    private static async Task<double> MeasureAsync(string load, bool dedicated, int conferences, int participants, short[] source, TimeSpan duration)
    {
        using var sockets = new MixerBenchmark.UdpSink(false);
        using var threads = dedicated ? new MixerClockThreads(new ConferenceMixerOptions().ClockThreads) : null;
        using var stop = new CancellationTokenSource();
        var pressure = StartPressure(load, stop.Token);
        var clocks = Enumerable.Range(0, conferences).Select(_ =>
        {
            var mixer = MixerBenchmark.Build(participants, source, "3-talkers", sockets);
            return new MixerClock(TimeProvider.System, TimeSpan.FromMilliseconds(20), 25, mixer.Tick, NullLogger.Instance, threads: threads);
        }).ToList();
        clocks.ForEach(c => c.Start());
        await Task.Delay(duration);
        foreach (var clock in clocks)
        {
            await clock.DisposeAsync();
        }

        await stop.CancelAsync();
        await Task.WhenAll(pressure);
        return clocks.Sum(c => c.LateTicks + c.SkippedTicks);
    }

    /// <summary>Work items that keep every pool thread busy: spinning (CPU) or sleeping (blocked, as sync-over-async does).</summary>
    private static Task[] StartPressure(string load, CancellationToken stop) => load switch
    {
        "cpu-busy" => [.. Enumerable.Range(0, Environment.ProcessorCount * 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(200_000);
                await Task.Yield();
            }
        }))],
        "blocked" => [.. Enumerable.Range(0, Environment.ProcessorCount * 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.Sleep(50);
                await Task.Yield();
            }
        }))],
        _ => [],
    };
}
