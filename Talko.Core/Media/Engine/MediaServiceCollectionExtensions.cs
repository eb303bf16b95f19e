using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Talko.Core.Media.Engine;

public static class MediaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ConferenceMediaEngine"/> as the <see cref="IConferenceMediaEngine"/> singleton.
    /// Observers are every registered <see cref="IConferenceMediaObserver"/>; the clock is the registered
    /// <see cref="TimeProvider"/> (System unless one is already registered).
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
        return services;
    }
}
