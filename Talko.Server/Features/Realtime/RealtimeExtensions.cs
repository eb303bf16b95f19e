using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Talko.Core.Conversations;
using Talko.Server.Drain;
using Talko.Server.Features.Accounts;
using Talko.Server.Input;

namespace Talko.Server.Features.Realtime;

public static class RealtimeExtensions
{
    /// <summary>
    /// The hub, its group bookkeeping and the conversation event publisher (the access token in the
    /// query string on /hubs is accepted by the accounts feature's JWT setup). SignalR itself and its Redis
    /// backplane are set up with the ephemeral state (scaled out: every instance reaches every client).
    /// SignalR users are named by the token's "sub", so Clients.User(userId) reaches a user's devices.
    /// </summary>
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR(options => options.AddFilter<RefusedHubCallFilter>())
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new DefinedEnumConverterFactory()));
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        builder.Services.AddSingleton<ConnectionGroups>();
        builder.Services.AddSingleton<RealtimeConnections>();
        // Registered after the drain's default (which knows no connections), so this one is resolved.
        builder.Services.AddSingleton<IDrainableConnections>(services => services.GetRequiredService<RealtimeConnections>());
        // Features that push to clients (awareness, in-app notifications) take the hub's context without the hub class.
        builder.Services.AddSingleton<IHubContext>(services => new TalkoHubContext(services.GetRequiredService<IHubContext<TalkoHub>>()));
        builder.Services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section)
            .Validate(o => o.AccessCheckInterval > TimeSpan.Zero, "Talko:Realtime:AccessCheckInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddHostedService<RealtimeAccessGuard>();
        builder.Services.AddHostedService<ResyncAfterBackplaneOutage>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConnectionGroups>());
        builder.Services.AddSingleton<IConversationEventPublisher, ConversationEventPublisher>();

        return builder;
    }

    /// <summary>Maps the hub with stateful reconnect, so a brief network drop replays what was missed.</summary>
    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder routes)
    {
        routes.MapHub<TalkoHub>(TalkoHub.Path, options => options.AllowStatefulReconnects = true);
        return routes;
    }

    /// <summary>The hub's clients and groups as the framework's hub-independent context.</summary>
    private sealed class TalkoHubContext(IHubContext<TalkoHub> hub) : IHubContext
    {
        public IHubClients Clients => hub.Clients;

        public IGroupManager Groups => hub.Groups;
    }

    private sealed class SubjectUserIdProvider : IUserIdProvider
    {
        public string? GetUserId(HubConnectionContext connection) => connection.User.FindUserId()?.ToString();
    }
}
