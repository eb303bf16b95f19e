using StackExchange.Redis;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Server.Hosting;

namespace Talko.Server.Ephemeral;

public static class EphemeralStateExtensions
{
    /// <summary>
    /// Ephemeral state, events and the SignalR backplane: Redis when ConnectionStrings:Redis is set,
    /// in-process otherwise. Both implement the same interfaces and pass the same specification tests.
    /// </summary>
    public static IHostApplicationBuilder AddTalkoEphemeralState(this IHostApplicationBuilder builder, TalkoMode mode)
    {
        var prefix = builder.Configuration[$"{TalkoOptions.Section}:{nameof(TalkoOptions.RedisPrefix)}"] is { Length: > 0 } configured ? configured : "talko";
        var keys = new KeySpace(prefix);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton(TimeProvider.System);
        var signalR = builder.Services.AddSignalR();

        if (!mode.UsesRedis)
        {
            builder.Services.AddSingleton<IEphemeralStore, InMemoryEphemeralStore>();
            builder.Services.AddSingleton<IEventBus, InProcessEventBus>();
            builder.Services.AddSingleton<IBackplaneHealth, InProcessBackplaneHealth>();
            return builder;
        }

        var redisOptions = ConfigurationOptions.Parse(mode.RedisConnectionString!);
        // Start even if Redis is briefly unreachable; readiness reports it until the link is up.
        redisOptions.AbortOnConnectFail = false;
        // While Redis is away, fail at once instead of queueing for the timeout: requests fall back (device checks go to
        // the database), events are dropped (clients are told to resync when it is back), nothing waits 5 s per call.
        redisOptions.BacklogPolicy = BacklogPolicy.FailFast;
        // One multiplexer for the ephemeral store, the event bus and the SignalR backplane: one link to watch, so the
        // resync after an outage is sent when the backplane that carries live events is back, not when some other link
        // is (ADR 0205). The backplane's channel prefix therefore applies to the event bus's channels too.
        redisOptions.ChannelPrefix = RedisChannel.Literal(keys.SignalRChannelPrefix);
        var shared = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(redisOptions));
        builder.Services.AddSingleton(_ => shared.Value);
        builder.Services.AddSingleton<IEphemeralStore, RedisEphemeralStore>();
        builder.Services.AddSingleton<IEventBus, RedisEventBus>();
        builder.Services.AddSingleton<IBackplaneHealth, RedisBackplaneHealth>();
        signalR.AddStackExchangeRedis(options =>
        {
            options.Configuration = redisOptions;
            options.ConnectionFactory = _ => Task.FromResult(shared.Value);
        });
        return builder;
    }
}
