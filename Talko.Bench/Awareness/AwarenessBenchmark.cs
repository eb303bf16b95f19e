using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Talko.Core.Awareness;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Core.Instances;
using Process = System.Diagnostics.Process;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Talko.Bench.Awareness;

/// <summary>
/// Awareness figures on real Redis, through Talko.Core directly (no SignalR): each "instance" has its own
/// Redis connection, tracker, reaper and registry entry, and publishes changes on a Redis channel that
/// the other instance hears, which stands in for the SignalR backplane hop.
/// </summary>
internal static class AwarenessBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var redisAddress = args.Length > 0 ? args[0] : "127.0.0.1:6391";
        var keys = new KeySpace($"bench-{Guid.NewGuid():N}");
        var options = Options.Create(new AwarenessOptions());
        var registryOptions = Options.Create(new InstanceRegistryOptions());
        Console.WriteLine($"Redis {redisAddress}; defaults: lease {options.Value.ConnectionLease}, renew {options.Value.RenewInterval}, device timeout {options.Value.DeviceTimeout}, registry TTL {registryOptions.Value.EntryTimeToLive}");

        await using var one = await BenchInstance.StartAsync("one", redisAddress, keys, options, registryOptions);
        await using var two = await BenchInstance.StartAsync("two", redisAddress, keys, options, registryOptions);

        // 1. Change latency across instances: a change made on one, heard on two.
        var latencies = new List<double>();
        var pending = new ConcurrentDictionary<string, Stopwatch>();
        var heard = new SemaphoreSlim(0);
        two.Heard += change =>
        {
            if (pending.TryRemove(change.UserId + change.Activity.Kind, out var clock))
            {
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                heard.Release();
            }
        };
        await one.Tracker.ConnectAsync("lat-conn", "lat-user", null);
        for (var i = 0; i < 500; i++)
        {
            var activity = i % 2 == 0 ? Activity.Typing("conv") : Activity.Viewing("conv");
            pending["lat-user" + activity.Kind] = Stopwatch.StartNew();
            await one.Tracker.SetActivityAsync("lat-conn", activity);
            await heard.WaitAsync(TimeSpan.FromSeconds(5));
        }

        latencies.Sort();
        Console.WriteLine($"change latency one->two over {latencies.Count} changes: p50 {Percentile(latencies, 0.50):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms");

        // 2. A device that vanishes without a goodbye (no more heartbeats).
        var vanished = new TaskCompletionSource();
        two.Heard += change =>
        {
            if (change.UserId == "quiet-user" && change.Presence == Presence.Offline)
            {
                vanished.TrySetResult();
            }
        };
        await one.Tracker.ConnectAsync("quiet-conn", "quiet-user", null);
        var silentSince = Stopwatch.StartNew();
        await vanished.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"vanished device offline after {silentSince.Elapsed.TotalSeconds:F1} s");

        // 3. An instance dies (no renewals, no registry heartbeat): the survivor heals all its users.
        const int DoomedUsers = 1000;
        await using var doomed = await BenchInstance.StartAsync("doomed", redisAddress, keys, options, registryOptions);
        for (var i = 0; i < DoomedUsers; i++)
        {
            await doomed.Tracker.ConnectAsync($"doomed-conn-{i}", $"doomed-user-{i}", null);
        }

        var healed = 0;
        var allHealed = new TaskCompletionSource();
        two.Heard += change =>
        {
            if (change.UserId.StartsWith("doomed-user-", StringComparison.Ordinal) && change.Presence == Presence.Offline && Interlocked.Increment(ref healed) == DoomedUsers)
            {
                allHealed.TrySetResult();
            }
        };
        await doomed.KillAsync();
        var deadSince = Stopwatch.StartNew();
        await allHealed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"all {DoomedUsers} users of a dead instance offline after {deadSince.Elapsed.TotalSeconds:F1} s");

        // 4. 5,000 clients heartbeating every 4 s on one instance, for 20 s.
        const int Clients = 5000;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Clients; i++)
        {
            await one.Tracker.ConnectAsync($"load-conn-{i}", $"load-user-{i}", null);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var beatInterval = options.Value.ClientHeartbeatInterval;
        while (wall.Elapsed < TimeSpan.FromSeconds(20))
        {
            var round = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => one.Tracker.HeartbeatAsync($"load-conn-{i}", TimeSpan.Zero)));
            var rest = beatInterval - round.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }

        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / wall.Elapsed.TotalMilliseconds;
        Console.WriteLine($"{Clients} heartbeating clients (every {beatInterval.TotalSeconds:F0} s, tracker + store only, this process also hosts instance two): " +
            $"CPU {cpu * 100:F1}% of one core ({cpu * 1e6 / Clients:F1} us of CPU per connection per second), " +
            $"managed memory {(after - before) / (double)Clients:F0} bytes per connection");
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
