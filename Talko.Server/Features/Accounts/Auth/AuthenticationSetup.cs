using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Talko.Server.Data;

namespace Talko.Server.Features.Accounts.Auth;

internal static class AuthenticationSetup
{
    /// <summary>Realtime hubs live under this path; only there is a token accepted from the query string.</summary>
    public const string HubPathPrefix = "/hubs";

    /// <summary>
    /// JWT bearer authentication with the server's key, and a default authorization policy that asks
    /// for an authenticated user whose device still exists.
    /// </summary>
    public static IServiceCollection AddTalkoAuthentication(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<DeviceSessions>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearer>();
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        return services;
    }

    private sealed class ConfigureJwtBearer(AccessTokenIssuer issuer, IOptions<AuthOptions> auth, TimeProvider time) : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(string? name, JwtBearerOptions options)
        {
            if (name != JwtBearerDefaults.AuthenticationScheme)
            {
                return;
            }

            Configure(options);
        }

        public void Configure(JwtBearerOptions options)
        {
            var settings = auth.Value;
            // Keep "sub" and "did" as they are instead of mapping them to long SOAP claim type URIs.
            options.MapInboundClaims = false;
            options.TimeProvider = time;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = settings.Issuer,
                ValidAudience = settings.Audience,
                IssuerSigningKey = issuer.SecurityKey,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                NameClaimType = TalkoClaims.UserId,
                RequireExpirationTime = true,
                ClockSkew = settings.ClockSkew,
                // Lifetimes are checked against TimeProvider (not the wall clock) so tests can drive time.
                LifetimeValidator = (notBefore, expires, _, parameters) =>
                {
                    var now = time.GetUtcNow().UtcDateTime;
                    return (notBefore is null || notBefore.Value - parameters.ClockSkew <= now)
                        && expires is not null && now < expires.Value + parameters.ClockSkew;
                },
            };
            options.Events = new JwtBearerEvents
            {
                // Browsers cannot set headers on WebSocket/SSE requests, so SignalR sends the token as
                // ?access_token=; accept it there only, where it cannot leak through ordinary links.
                OnMessageReceived = context =>
                {
                    if (context.Request.Path.StartsWithSegments(HubPathPrefix)
                        && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                },
                OnTokenValidated = async context =>
                {
                    var principal = context.Principal!;
                    if (principal.FindUserId() is not { } userId || principal.FindDeviceId() is not { } deviceId)
                    {
                        context.Fail("The token lacks the user or device claim.");
                        return;
                    }

                    var services = context.HttpContext.RequestServices;
                    var sessions = services.GetRequiredService<DeviceSessions>();
                    var db = services.GetRequiredService<TalkoDbContext>();
                    if (!await sessions.IsActiveAsync(userId, deviceId, db, context.HttpContext.RequestAborted))
                    {
                        context.Fail("The device was signed out.");
                    }
                },
            };
        }
    }
}
