using Talko.Server.Blobs;
using Talko.Server.Data;
using Talko.Server.Drain;
using Talko.Server.Ephemeral;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Admin;
using Talko.Server.Features.Awareness;
using Talko.Server.Features.Blobs;
using Talko.Server.Features.Calls;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Groups;
using Talko.Server.Features.Notifications;
using Talko.Server.Features.Notifications.InApp;
using Talko.Server.Features.Realtime;
using Talko.Server.Features.Sync;
using Talko.Server.Hosting.Telemetry;
using Talko.Server.Kernel;
using Talko.Server.WebRtc;

namespace Talko.Server.Hosting;

public static class TalkoHostExtensions
{
    /// <summary>Everything the host needs, chosen by <see cref="TalkoMode"/>: embedded with no configuration, scaled out with connection strings.</summary>
    public static IHostApplicationBuilder AddTalkoServices(this IHostApplicationBuilder builder)
    {
        var mode = TalkoMode.From(builder.Configuration);
        var instance = InstanceIdentity.Resolve(builder.Configuration);
        builder.Services.AddSingleton(mode);
        builder.Services.AddOptions<TalkoOptions>().BindConfiguration(TalkoOptions.Section);
        builder.Services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = builder.Configuration.GetValue($"{TalkoOptions.Section}:{nameof(TalkoOptions.ShutdownTimeout)}", TimeSpan.FromSeconds(30)));
        builder.Services.AddSingleton<DataDirectory>();
        // Request-lifetime services for code that outlives requests (the live calls' bookkeeping), one scope per run.
        builder.Services.AddSingleton(typeof(IScopedWork<>), typeof(ScopedWork<>));
        builder.Services.AddHostedService<StartupReport>();
        builder.Services.AddHostedService<OpusStartupCheck>();

        builder.AddTalkoLogging(instance)
            .AddTalkoTelemetry(instance, mode)
            .AddTalkoProblemDetails(instance)
            .AddTalkoApi()
            .AddTalkoWebClient()
            .AddTalkoForwardedHeaders()
            .AddTalkoPersistence(mode)
            .AddTalkoEphemeralState(mode)
            .AddTalkoBlobs()
            .AddTalkoInstance(instance)
            .AddTalkoHealth(mode)
            .AddTalkoDrain()
            .AddAdminApi()
            .AddAccounts()
            .AddTalkoNotifications(mode)
            .AddConversations()
            .AddGroups()
            .AddRealtime()
            .AddAwareness(mode)
            .AddCalls()
            .AddWebRtc();
        return builder;
    }

    public static WebApplication UseTalko(this WebApplication app)
    {
        // First, so every later piece (rate limits, logs) sees the client's address, not the load balancer's.
        app.UseForwardedHeaders();
        // Outermost, so each request's line shows the status the client got.
        app.UseTalkoRequestLogging();
        app.UseTalkoProblemDetails();
        app.UseTalkoWebClient();
        app.UseRouting();
        // Before the log context, so it carries the authenticated user's id.
        app.UseAccounts();
        app.UseTalkoLogContext();
        app.MapTalkoHealth();
        app.MapTalkoMetrics();
        app.MapTalkoApiDocs();
        app.MapAdminApi();
        app.MapAccountsApi();
        app.MapNotificationsApi();
        app.MapGroupsFeature();
        app.MapConversationsApi();
        app.MapSyncApi();
        app.MapBlobsApi();
        app.MapRealtime();
        app.MapAwarenessApi();
        app.MapCallsApi();
        return app;
    }

    /// <summary>
    /// Applies migrations when configured to (the default). `Talko.Server migrate` applies them and
    /// exits, for deployments that migrate in a separate step; returns true when that was asked.
    /// </summary>
    public static async Task<bool> PrepareDatabaseAsync(this WebApplication app, string[] args)
    {
        var migrateOnly = args.Contains("migrate", StringComparer.OrdinalIgnoreCase);
        if (migrateOnly || app.Configuration.GetValue($"{TalkoOptions.Section}:{nameof(TalkoOptions.MigrateOnStartup)}", true))
        {
            await DatabaseMigrator.MigrateAsync(app.Services);
        }

        return migrateOnly;
    }
}
