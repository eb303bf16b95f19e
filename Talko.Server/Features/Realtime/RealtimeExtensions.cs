using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Talko.Server.Features.Accounts;

namespace Talko.Server.Features.Realtime;

public static class RealtimeExtensions
{
    /// <summary>
    /// The hub's wiring: SignalR users are named by the token's "sub", and WebSocket clients (which
    /// cannot send headers from browsers) may pass the access token as ?access_token= on the hub path.
    /// SignalR itself (and its Redis backplane) is added with the ephemeral state.
    /// </summary>
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        // Enums travel as names, as in the REST API.
        builder.Services.Configure<JsonHubProtocolOptions>(options =>
            options.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.Events ??= new JwtBearerEvents();
            var previous = options.Events.OnMessageReceived;
            options.Events.OnMessageReceived = async context =>
            {
                await previous(context);
                if (context.Token is null
                    && context.HttpContext.Request.Path.StartsWithSegments(TalkoHub.Path)
                    && context.Request.Query["access_token"] is { Count: > 0 } token)
                {
                    context.Token = token;
                }
            };
        });
        return builder;
    }

    /// <summary>Maps the hub with stateful reconnect, so a brief network drop replays what was missed.</summary>
    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        app.MapHub<TalkoHub>(TalkoHub.Path, options => options.AllowStatefulReconnects = true);
        return app;
    }

    private sealed class SubjectUserIdProvider : IUserIdProvider
    {
        public string? GetUserId(HubConnectionContext connection) => connection.User.FindUserId()?.ToString();
    }
}
