using StackExchange.Redis;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Server.Kernel;

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

        var redisOptions = RedisConnectionOptions.From(mode.RedisConnectionString!);
        // The backplane's channel prefix, on the options both links are made from.
        redisOptions.ChannelPrefix = RedisChannel.Literal(keys.SignalRChannelPrefix);
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redisOptions));
        builder.Services.AddSingleton<IEphemeralStore, RedisEphemeralStore>();
        builder.Services.AddSingleton<IEventBus, RedisEventBus>();
        // SignalR's backplane keeps its own link (it owns and disposes it); it is made here so that
        // RedisBackplaneHealth watches it too: the resync waits until the link that carries live events is back.
        var backplaneLink = new SignalRBackplaneLink();
        builder.Services.AddSingleton(backplaneLink);
        builder.Services.AddSingleton<IBackplaneHealth, RedisBackplaneHealth>();
        signalR.AddStackExchangeRedis(options =>
        {
            options.Configuration = redisOptions;
            options.ConnectionFactory = async writer => backplaneLink.Attach(await ConnectionMultiplexer.ConnectAsync(redisOptions, writer));
        });
        return builder;
    }
}
