using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Talko.Core.Awareness;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Core.Instances;

namespace Talko.Bench.Awareness;

/// <summary>One simulated instance: its own Redis connection, registry heartbeat, tracker, reaper and loops.</summary>
internal sealed class BenchInstance : IAsyncDisposable, IAwarenessNotifier
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> loops = [];
    private readonly IConnectionMultiplexer redis;
    private readonly RedisEventBus bus;
    private readonly KeySpace keys;
    private IAsyncDisposable? subscription;

    private BenchInstance(string id, IConnectionMultiplexer redis, KeySpace keys, IOptions<AwarenessOptions> options, IOptions<InstanceRegistryOptions> registryOptions)
    {
        Id = id;
        this.redis = redis;
        this.keys = keys;
        bus = new RedisEventBus(redis, NullLogger<RedisEventBus>.Instance);
        var lifecycle = new InstanceLifecycle(id, TimeProvider.System);
        Registry = new InstanceRegistry(new RedisEphemeralStore(redis), keys, registryOptions);
        var store = new RedisAwarenessStore(redis, keys, options);
        Tracker = new AwarenessTracker(store, this, lifecycle, options, TimeProvider.System, NullLogger<AwarenessTracker>.Instance);
        Reaper = new AwarenessReaper(store, this, Registry, lifecycle, options, TimeProvider.System, NullLogger<AwarenessReaper>.Instance);
        loops.Add(Loop(registryOptions.Value.HeartbeatInterval, () => Registry.PublishAsync(new InstanceDescriptor(id, "", "", InstanceState.Serving, InstanceLoad.None, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow))));
        loops.Add(Loop(options.Value.RenewInterval, Tracker.RenewAsync));
        loops.Add(Loop(options.Value.ReapInterval, Reaper.ReapAsync));
    }

    public event Action<UserAwareness>? Heard;

    public string Id { get; }

    public InstanceRegistry Registry { get; }

    public AwarenessTracker Tracker { get; }

    public AwarenessReaper Reaper { get; }

    private string Channel => $"{keys.Prefix}:bench:awareness";

    public static async Task<BenchInstance> StartAsync(string id, string address, KeySpace keys, IOptions<AwarenessOptions> options, IOptions<InstanceRegistryOptions> registryOptions)
    {
        var instance = new BenchInstance(id, await ConnectionMultiplexer.ConnectAsync(address), keys, options, registryOptions);
        instance.subscription = await instance.bus.SubscribeAsync(instance.Channel, message =>
        {
            var parts = message.Split('|');
            instance.Heard?.Invoke(new UserAwareness(parts[0], Enum.Parse<Presence>(parts[1]), new Activity { Kind = Enum.Parse<ActivityKind>(parts[2]) }, null));
            return Task.CompletedTask;
        });
        await instance.Registry.PublishAsync(new InstanceDescriptor(id, "", "", InstanceState.Serving, InstanceLoad.None, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        return instance;
    }

    public async Task PublishAsync(IReadOnlyList<UserAwareness> changes)
    {
        foreach (var change in changes)
        {
            await bus.PublishAsync(Channel, $"{change.UserId}|{change.Presence}|{change.Activity.Kind}");
        }
    }

    /// <summary>Stops every loop without a goodbye, as a SIGKILL would.</summary>
    public async Task KillAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(loops);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        if (subscription is not null)
        {
            await subscription.DisposeAsync();
        }

        await redis.DisposeAsync();
    }

    private async Task Loop(TimeSpan interval, Func<Task> work)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    await work();
                }
                catch (RedisException)
                {
                    // A benchmark tolerates a hiccup like the real loop does.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
