using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Talko.Server.Data;

namespace Talko.Server.Features.Accounts.Auth;

internal static class AuthenticationSetup
{
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
