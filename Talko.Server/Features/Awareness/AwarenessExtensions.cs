using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Talko.Core.Awareness;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Awareness;

public static class AwarenessExtensions
{
    /// <summary>Awareness on Redis when scaled out, in memory when embedded; options under Talko:Awareness.</summary>
    public static IHostApplicationBuilder AddAwareness(this IHostApplicationBuilder builder, TalkoMode mode)
    {
        var services = builder.Services;
        services.AddOptions<AwarenessOptions>().BindConfiguration(AwarenessOptions.Section)
            .Validate(
                o => o.BatchSize > 0 && o.MaxIdLength > 0 && o.MaxStatusTextLength > 0 && o.MaxSnapshotUsers > 0
                    && o.RenewInterval > TimeSpan.Zero && o.ReapInterval > TimeSpan.Zero && o.TypingTimeout > TimeSpan.Zero
                    && o.ConnectionLease > o.RenewInterval && o.DeviceTimeout > TimeSpan.Zero,
                "Awareness limits must be positive and the connection lease longer than the renew interval.")
            .ValidateOnStart();
        if (mode.UsesRedis)
        {
            services.AddSingleton<IAwarenessStore, RedisAwarenessStore>();
        }
        else
        {
            services.AddSingleton<IAwarenessStore, InMemoryAwarenessStore>();
        }

        // TryAdd: a test (or another feature) that registered its own audience first keeps it.
        services.TryAddSingleton<IAwarenessAudience, ConversationAwarenessAudience>();
        services.AddSingleton<IAwarenessNotifier, SignalRAwarenessNotifier>();
        services.AddSingleton<AwarenessTracker>();
        services.AddSingleton<AwarenessReaper>();
        services.AddSingleton<AwarenessSnapshots>();
        services.AddScoped<ActivityGuard>();
        services.AddHostedService<AwarenessBackgroundService>();
        return builder;
    }
}
