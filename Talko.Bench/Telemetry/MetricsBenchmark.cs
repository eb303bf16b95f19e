using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Talko.Bench.Mixing;
using Talko.Core.Calls;
using Talko.Core.Diagnostics;
using Talko.Core.Media;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Rtp;

namespace Talko.Bench.Telemetry;

/// <summary>
/// What metrics cost the media path (ADR 0900): recording one tick duration (once per tick per call) with nobody
/// listening and with the OpenTelemetry SDK aggregating it, and reading the media engine's totals (once per scrape)
/// with many live legs. Prints figures for docs/benchmarks.md.
/// </summary>
internal static class MetricsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var records = BenchArguments.Int(args, "--records", 5_000_000);
        var conferences = BenchArguments.Int(args, "--conferences", 10);
        var legsPerConference = BenchArguments.Int(args, "--legs", 50);
        var scrapes = BenchArguments.Int(args, "--scrapes", 2_000);
        Console.WriteLine($"Metrics cost: {Environment.ProcessorCount} logical cores, load average {MixerBenchmark.LoadAverage()}");

        var idle = TimeRecords(records);
        double listened;
        // A reader is what makes the SDK listen: without one the instrument stays disabled.
        using (Sdk.CreateMeterProviderBuilder().AddMeter(TalkoTelemetry.MeterPrefix + "*")
                   .AddReader(new PeriodicExportingMetricReader(new DiscardingExporter(), exportIntervalMilliseconds: 60_000)).Build())
        {
            listened = TimeRecords(records);
        }

        Console.WriteLine($"tick duration record, nobody listening:     {idle,8:F1} ns per tick ({records:N0} records)");
        Console.WriteLine($"tick duration record, OpenTelemetry SDK on: {listened,8:F1} ns per tick ({listened / 20_000_000 * 100:F6} % of a 20 ms tick per call)");

        await using var engine = new ConferenceMediaEngine(Options.Create(new MediaEngineOptions
        {
            BindAddress = "127.0.0.1",
            RtpPorts = new RtpPortAllocatorOptions { MinPort = 40000, MaxPort = 40000 + (4 * conferences * legsPerConference) },
            Recording = new() { Directory = null },
        }), TimeProvider.System);
        var nowhere = new IPEndPoint(IPAddress.Loopback, 9);
        for (var c = 0; c < conferences; c++)
        {
            for (var l = 0; l < legsPerConference; l++)
            {
                await engine.AddLegAsync(new MediaLegOptions($"bench-{c}", LegId.Inbound($"leg-{l}"), nowhere, AudioCodec.Pcmu, null));
            }
        }

        _ = engine.Totals;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        long sink = 0;
        for (var i = 0; i < scrapes; i++)
        {
            sink += engine.Totals.Legs;
        }

        clock.Stop();
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)scrapes;
        Console.WriteLine($"media totals with {sink / scrapes} live legs in {conferences} calls: {clock.Elapsed.TotalMicroseconds / scrapes,8:F1} us per scrape, {bytes:F0} B allocated per scrape");
        return 0;
    }

    /// <summary>Nanoseconds per recorded tick duration.</summary>
    private static double TimeRecords(int records)
    {
        var elapsed = TimeSpan.FromMicroseconds(350);
        for (var i = 0; i < 10_000; i++)
        {
            MediaMetrics.TickTook(elapsed);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < records; i++)
        {
            MediaMetrics.TickTook(elapsed);
        }

        return clock.Elapsed.TotalNanoseconds / records;
    }

    private sealed class DiscardingExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
