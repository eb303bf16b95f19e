using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Talko.Core.Accounts;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Accounts.Codes;

namespace Talko.Server.Features.Accounts;

public static class AccountsExtensions
{
    /// <summary>Accounts, JWT authentication (the default authorization policy), per-IP rate limits and code delivery.</summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccountsOptions>().BindConfiguration(AccountsOptions.Section)
            .Validate(o => o.MaxCodeAttempts > 0 && o.MaxOutstandingCodes > 0 && o.CodeRequestsPerRequester > 0 && o.CodeRequestsPerRequesterAndIdentifier > 0
                && o.CodeResendCooldown >= TimeSpan.Zero && o.CodeRequestWindow > TimeSpan.Zero && o.AuthRequestsPerIp > 0
                && o.ContactMatchMaxEntries > 0 && o.ContactMatchQuota > 0 && o.SipCredentialCacheDuration >= TimeSpan.Zero && o.SipCredentialCacheMaxEntries > 0 && o.MaxDevicesPerUser > 0 && o.MaxIdentifiersPerUser > 0,
                "Talko:Accounts limits must be positive.")
            .ValidateOnStart();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        services.AddSingleton<ServerKeys>();
        services.AddSingleton<IdentifierNormalizer>();
        services.AddTalkoAuthentication();
        services.AddScoped<VerificationService>();
        services.AddSingleton<CodeRequestThrottle>();
        services.AddScoped<SessionService>();
        services.AddScoped<AccountDeletion>();
        services.AddScoped<SipCredentialLookup>();
        services.AddSingleton<SipCredentialCache>();
        services.AddSingleton<SipCredentialInvalidation>();
        services.AddHostedService(sp => sp.GetRequiredService<SipCredentialInvalidation>());

        services.AddSingleton<LogVerificationCodeSender>();
        if (DevelopmentMailboxApi.IsEnabled(builder.Environment, builder.Configuration))
        {
            services.AddSingleton<DevelopmentMailbox>();
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{AccountsOptions.Section}:Smtp:Host"]))
        {
            services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        }

        // TryAdd: a host (or a test) that registered its own sender first keeps it.
        services.TryAddSingleton<IVerificationCodeSender>(sp => new RoutingVerificationCodeSender(
            sp.GetRequiredService<LogVerificationCodeSender>(), sp.GetService<IEmailSender>(), sp.GetService<ISmsSender>()));

        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(AuthApi.PerIpPolicy, http =>
            {
                var settings = http.RequestServices.GetRequiredService<IOptions<AccountsOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.AuthRequestsPerIp, Window = settings.AuthRequestWindow, QueueLimit = 0 });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                AccountsLog.AuthRequestsLimited(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuthApi)),
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown", http.Request.Path);
                SignInMetrics.Blocked();
                var problem = AccountsProblems.TooManyRequests(http, retryAfter, "Too many requests from this address; try again later.");
                await problem.ExecuteAsync(http);
            };
        });
        return builder;
    }

    /// <summary>Authentication, authorization and rate limiting; call after routing and before the endpoints.</summary>
    public static IApplicationBuilder UseAccounts(this IApplicationBuilder app) =>
        app.UseAuthentication().UseAuthorization().UseRateLimiter();

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder routes) =>
        routes.MapAuthApi().MapMeApi().MapContactsApi().MapDevelopmentMailbox();
}
