using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Mixing;

namespace Talko.Bench.Mixing;

/// <summary>
/// Mixer capacity: for each conference size, ticks back to back and measures the time each tick takes
/// (a tick must finish within its 20 ms to never be late), then runs the largest size that fits on the
/// real 20 ms clock and counts late ticks. Two participant mixes: everyone sending audio (worst case) and
/// three talkers with everyone else silent (a typical large call).
/// </summary>
internal static class MixerBenchmark
{
    private const double TickBudgetMs = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = BenchArguments.Int(args, "--runs", 5);
        var clockSize = BenchArguments.Int(args, "--clock-size", 1000);
        var ticks = BenchArguments.Int(args, "--ticks", 250);
        var sizes = (BenchArguments.String(args, "--sizes") ?? "250,500,1000,2000,4000,8000")
            .Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var source = Noise(8000 * 2);
        var scenarios = BenchArguments.String(args, "--scenarios")?.Split(',') ?? Scenarios;
        WithLevels = args.Contains("--levels");
        if (BenchArguments.String(args, "--codec") == "opus")
        {
            // Opus legs (issue 16): packets encoded once from speech-level noise (talkers) and from silence (the rest).
            OpusLegs = new Talko.Core.Media.Codecs.Opus.OpusCodecs(new Talko.Core.Media.Codecs.Opus.OpusOptions(), NullLogger.Instance);
            OpusTalking = BenchOpusParticipant.Encode(Noise(48000 * 2), OpusLegs, OpusBitrate);
            OpusSilent = BenchOpusParticipant.Encode(new short[48000], OpusLegs, OpusBitrate);
            if (WithLevels)
            {
                Console.WriteLine("With --levels every packet carries an RFC 6464 audio level (talkers 20, silent legs 127), as browsers send it: silent legs are not decoded (ADR 0930).");
            }

            Console.WriteLine($"Opus legs ({OpusLegs.Description}, {OpusBitrate / 1000} kb/s, complexity {OpusLegs.Options.Complexity}): per tick a packet into the Opus jitter buffer and decoded, mix-minus or shared mix Opus-encoded, RTP packetisation.");
        }

        Console.WriteLine($"Mixer capacity: {Environment.ProcessorCount} logical cores, load average {LoadAverage()}, {runs} runs x {ticks} ticks per size, medians across runs");
        Console.WriteLine("Per tick: jitter-buffer insert+read, energy/talker detection, mix-minus, G.711 encode, RTP packetisation; +udp adds a loopback SendTo per participant.");
        Console.WriteLine($"{"scenario",-14} {"participants",12} {"mean ms",8} {"p99 ms",8} {"max ms",8} {"CPU us/part",12} {"cap/core",9} {"fits 20ms",9} {"B/tick",7}");
        foreach (var scenario in scenarios)
        {
            foreach (var size in sizes)
            {
                var results = new List<RunResult>();
                for (var run = 0; run < runs; run++)
                {
                    results.Add(MeasureBackToBack(size, ticks, source, scenario));
                }

                var mean = Median(results.Select(r => r.MeanMs));
                var p99 = Median(results.Select(r => r.P99Ms));
                var max = Median(results.Select(r => r.MaxMs));
                var cpu = Median(results.Select(r => r.CpuMicrosecondsPerParticipant));
                var fits = max < TickBudgetMs;
                var allocated = Median(results.Select(r => r.BytesAllocatedPerTick));

                // The CPU-bound ceiling: participants one core can mix inside a 20 ms tick at this cost.
                var perCore = (int)(TickBudgetMs * 1000 / cpu);
                Console.WriteLine($"{scenario,-14} {size,12} {mean,8:F3} {p99,8:F3} {max,8:F3} {cpu,12:F3} {perCore,9} {(fits ? "yes" : "no"),9} {allocated,7:F0}");
            }
        }

        if (args.Contains("--no-clock"))
        {
            return 0;
        }

        Console.WriteLine();
        Console.WriteLine($"Real 20 ms clock (MixerClock on TimeProvider.System), 10 s per run, {clockSize} participants:");
        foreach (var scenario in scenarios)
        {
            var size = clockSize;
            var late = new List<long>();
            for (var run = 0; run < Math.Min(runs, 3); run++)
            {
                late.Add(await MeasureOnClockAsync(size, source, scenario, TimeSpan.FromSeconds(10)));
            }

            Console.WriteLine($"{scenario,-14} {size,12} participants: late ticks per run = {string.Join(", ", late)} (of 500)");
        }

        return 0;
    }

    private static RunResult MeasureBackToBack(int size, int ticks, short[] source, string scenario)
    {
        using var sockets = new UdpSink(scenario.EndsWith("+udp", StringComparison.Ordinal));
        var mixer = Build(size, source, scenario, sockets);
        for (var warmup = 0; warmup < 50; warmup++)
        {
            mixer.Tick();
        }

        var durations = new double[ticks];
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var tick = 0; tick < ticks; tick++)
        {
            var start = Stopwatch.GetTimestamp();
            mixer.Tick();
            durations[tick] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        Array.Sort(durations);
        return new RunResult(
            durations.Average(),
            durations[(int)(ticks * 0.99)],
            durations[^1],
            cpu.TotalMicroseconds / ((double)ticks * size),
            (double)allocated / ticks);
    }

    private static async Task<long> MeasureOnClockAsync(int size, short[] source, string scenario, TimeSpan duration)
    {
        using var sockets = new UdpSink(scenario.EndsWith("+udp", StringComparison.Ordinal));
        var mixer = Build(size, source, scenario, sockets);
        var clock = new MixerClock(TimeProvider.System, TimeSpan.FromMilliseconds(20), 5, mixer.Tick, NullLogger.Instance);
        clock.Start();
        await Task.Delay(duration);
        await clock.DisposeAsync();
        return clock.LateTicks + clock.SkippedTicks;
    }

    private const int OpusBitrate = 32000;

    private static Talko.Core.Media.Codecs.Opus.OpusCodecs? OpusLegs { get; set; }

    private static byte[][] OpusTalking { get; set; } = [];

    private static byte[][] OpusSilent { get; set; } = [];

    /// <summary>Opus packets carry RFC 6464 levels (--levels).</summary>
    private static bool WithLevels { get; set; }

    private static readonly string[] Scenarios = ["all-talking", "3-talkers", "all-talking+udp"];

    internal static ConferenceMixer Build(int size, short[] source, string scenario, UdpSink sockets)
    {
        var allTalking = scenario.StartsWith("all-talking", StringComparison.Ordinal);
        var mixer = new ConferenceMixer(new ConferenceMixerOptions { MaxParticipants = size }, codecs: OpusLegs);
        for (var i = 0; i < size; i++)
        {
            if (OpusLegs is not null)
            {
                var speaking = allTalking || i < 3;
                var level = !WithLevels ? Talko.Core.Media.Jitter.OpusJitterBuffer.NoLevel : speaking ? (byte)20 : Talko.Core.Media.Rtp.RtpAudioLevel.Silence;
                mixer.Add(new BenchOpusParticipant(i, speaking ? OpusTalking : OpusSilent, OpusLegs, OpusBitrate, sockets.Sender, sockets.Target, level));
                continue;
            }

            mixer.Add(new BenchParticipant(i, source, speaking: allTalking || i < 3, TimeProvider.System, sockets.Sender, sockets.Target));
        }

        return mixer;
    }

    /// <summary>For "+udp" scenarios: a real loopback send per participant per tick to a socket nobody reads.</summary>
    internal sealed class UdpSink : IDisposable
    {
        private readonly Socket? receiver;

        public UdpSink(bool enabled)
        {
            if (!enabled)
            {
                return;
            }

            receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Target = (IPEndPoint)receiver.LocalEndPoint!;
            Sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }

        public Socket? Sender { get; }

        public IPEndPoint? Target { get; }

        public void Dispose()
        {
            Sender?.Dispose();
            receiver?.Dispose();
        }
    }

    internal static short[] Noise(int samples)
    {
        // Speech-level noise (about -20 dBov): every sample differs, so no participant looks silent.
        var random = new Random(42);
        var noise = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            noise[i] = (short)random.Next(-3000, 3000);
        }

        return noise;
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private sealed record RunResult(double MeanMs, double P99Ms, double MaxMs, double CpuMicrosecondsPerParticipant, double BytesAllocatedPerTick);
}
