using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Talko.Core.Conversations;

namespace Talko.Server.Features.Realtime;

public static class RealtimeExtensions
{
    /// <summary>
    /// The hub, its group bookkeeping and the conversation event publisher. SignalR itself and its Redis
    /// backplane are set up with the ephemeral state (scaled out: every instance reaches every client).
    /// </summary>
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR()
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddSingleton<ConnectionGroups>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConnectionGroups>());
        builder.Services.AddSingleton<IConversationEventPublisher, ConversationEventPublisher>();

        // Browsers and the WebSocket transport cannot send an Authorization header: take the token from
        // the query string, but only on the hub's path so it never spreads to the REST API.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var inner = options.Events.OnMessageReceived;
            options.Events.OnMessageReceived = async context =>
            {
                await inner(context);
                if (context.Token is null && context.HttpContext.Request.Path.StartsWithSegments(TalkoHub.Path)
                    && context.Request.Query["access_token"] is { Count: 1 } token)
                {
                    context.Token = token.ToString();
                }
            };
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder routes)
    {
        routes.MapHub<TalkoHub>(TalkoHub.Path);
        return routes;
    }
}
