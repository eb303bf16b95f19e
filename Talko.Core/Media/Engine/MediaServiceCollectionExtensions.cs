using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Talko.Core.Media.Codecs.Opus;

namespace Talko.Core.Media.Engine;

public static class MediaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ConferenceMediaEngine"/> as the <see cref="IConferenceMediaEngine"/> singleton.
    /// Observers are every registered <see cref="IConferenceMediaObserver"/>; the clock is the registered
    /// <see cref="TimeProvider"/> (System unless one is already registered). <see cref="OpusCodecs"/> is the Opus
    /// implementation chosen from Media:Opus when first resolved (the host resolves it at start-up).
    /// </summary>
    public static IServiceCollection AddConferenceMedia(this IServiceCollection services, Action<MediaEngineOptions>? configure = null)
    {
        var builder = services.AddOptions<MediaEngineOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConferenceMediaEngine>();
        services.TryAddSingleton<IConferenceMediaEngine>(provider => provider.GetRequiredService<ConferenceMediaEngine>());
        services.TryAddSingleton(provider => new OpusCodecs(
            provider.GetRequiredService<IOptions<MediaEngineOptions>>().Value.Opus,
            provider.GetService<ILoggerFactory>()?.CreateLogger<OpusCodecs>() ?? (ILogger)NullLogger.Instance));
        return services;
    }
}
