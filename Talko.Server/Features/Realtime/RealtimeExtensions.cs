using System.Text.Json.Serialization;
using Talko.Core.Conversations;

namespace Talko.Server.Features.Realtime;

public static class RealtimeExtensions
{
    /// <summary>
    /// The hub, its group bookkeeping and the conversation event publisher (the access token in the
    /// query string on /hubs is accepted by the accounts feature's JWT setup). SignalR itself and its Redis
    /// backplane are set up with the ephemeral state (scaled out: every instance reaches every client).
    /// </summary>
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR()
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddSingleton<ConnectionGroups>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConnectionGroups>());
        builder.Services.AddSingleton<IConversationEventPublisher, ConversationEventPublisher>();

        return builder;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder routes)
    {
        routes.MapHub<TalkoHub>(TalkoHub.Path);
        return routes;
    }
}
