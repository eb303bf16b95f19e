using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Talko.Core.Notifications;
using Talko.Core.Notifications.Apns;
using Talko.Core.Notifications.Fcm;
using Talko.Core.Notifications.Webhooks;
using Talko.Server.Features.Notifications.InApp;
using Talko.Server.Features.Notifications.Outbox;
using Talko.Server.Features.Notifications.Providers;
using Talko.Server.Features.Notifications.Routing;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Notifications;

public static class NotificationsExtensions
{
    /// <summary>
    /// The outbox, its dispatcher, and a provider for each channel that is configured under
    /// Talko:Notifications (the others go to the log).
    /// </summary>
    public static IHostApplicationBuilder AddTalkoNotifications(this IHostApplicationBuilder builder, TalkoMode mode)
    {
        var section = builder.Configuration.GetSection(NotificationsOptions.Section);
        var configured = section.Get<NotificationsOptions>() ?? new NotificationsOptions();
        var services = builder.Services;
        services.AddOptions<NotificationsOptions>().Bind(section);
        services.AddSingleton<NotificationOutbox>();
        services.AddSingleton<OutboxClaimer>(mode.UsesPostgres ? new PostgresOutboxClaimer() : new SqliteOutboxClaimer());
        services.AddSingleton<LogNotificationProvider>();
        services.TryAddSingleton<IPushAddressRemover, DevicePushAddressRemover>();
        services.AddSingleton<NotificationProviders>();
        services.AddSingleton<OutboxDispatcher>();
        // TryAdd: a test that registered its own presence first keeps it.
        services.TryAddSingleton<IPresenceLookup, AwarenessPresenceLookup>();
        services.AddSingleton<UnreadCounter>();
        services.AddSingleton<NotificationAnnouncer>();
        services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<NotificationAnnouncer>());
        services.AddSingleton<INotificationTrigger, NotificationPlanner>();
        services.AddSingleton<ConversationNotifications>();

        if (configured.Apns.IsConfigured)
        {
            services.AddSingleton(sp => new ApnsProviderToken(Options(sp).Apns, sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<INotificationProvider>(sp => new ApnsProvider(
                ProviderHttp.CreateHttp2(Options(sp).ProviderTimeout), Options(sp).Apns, sp.GetRequiredService<ApnsProviderToken>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApnsProvider>>()));
        }

        if (configured.Fcm.IsConfigured)
        {
            services.AddSingleton(sp => new GoogleServiceAccountTokens(
                ProviderHttp.CreateHttp2Handler(), Options(sp).ProviderTimeout, Options(sp).Fcm,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<GoogleServiceAccountTokens>>()));
            services.AddSingleton<INotificationProvider>(sp => new FcmProvider(
                ProviderHttp.CreateHttp2(Options(sp).ProviderTimeout), Options(sp).Fcm, sp.GetRequiredService<GoogleServiceAccountTokens>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FcmProvider>>()));
        }

        if (configured.Webhook.IsConfigured)
        {
            services.AddSingleton<INotificationProvider>(sp => new WebhookProvider(
                ProviderHttp.CreateWebhook(Options(sp).ProviderTimeout), Options(sp).Webhook,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookProvider>>()));
        }

        if (configured.DispatcherEnabled)
        {
            services.AddHostedService<OutboxDispatcherService>();
        }

        return builder;
    }

    private static NotificationsOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<NotificationsOptions>>().Value;
}
