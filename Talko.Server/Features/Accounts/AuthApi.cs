using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Accounts;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Accounts.Codes;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts;

/// <summary>Registration and sign-in by one-time code, token refresh, logout.</summary>
public static class AuthApi
{
    public const string PerIpPolicy = "talko-auth-per-ip";

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/v1/auth").WithTags("Auth");
        auth.MapPost("/start", Start).AllowAnonymous().RequireRateLimiting(PerIpPolicy)
            .WithSummary("Send a one-time code to an email address or phone number");
        auth.MapPost("/verify", Verify).AllowAnonymous().RequireRateLimiting(PerIpPolicy)
            .WithSummary("Check the code: registers the account the first time, signs in after; registers the device");
        auth.MapPost("/refresh", Refresh).AllowAnonymous().RequireRateLimiting(PerIpPolicy)
            .WithSummary("Exchange a refresh token for new tokens (the old one is spent)")
            // An unknown, expired, spent or revoked refresh token answers 401; 400 only when none is given.
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        auth.MapPost("/logout", Logout).RequireAuthorization()
            .WithSummary("Sign this device out: its tokens stop working");
        return routes;
    }

    private static async Task<Results<Accepted<StartResponse>, ValidationProblem, ProblemHttpResult>> Start(
        StartRequest request, HttpContext http, IdentifierNormalizer normalizer, VerificationService verification, IOptions<AccountsOptions> options)
    {
        var validation = new Validation();
        var identifier = validation.Identifier(normalizer, request.Identifier, request.Region);
        if (identifier is null)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        if (await verification.StartAsync(identifier, ChallengePurpose.SignIn, null, Requesters.Address(http), http.RequestAborted) is { } retryAfter)
        {
            SignInMetrics.Blocked();
            return AccountsProblems.TooManyRequests(http, retryAfter, "Too many codes were requested from this address; try again later.");
        }

        return TypedResults.Accepted((string?)null, new StartResponse((int)options.Value.CodeLifetime.TotalSeconds, VerificationCodes.Length, (int)options.Value.CodeResendCooldown.TotalSeconds));
    }

    private static async Task<Results<Ok<VerifyResponse>, ValidationProblem, ProblemHttpResult>> Verify(
        VerifyRequest request,
        HttpContext http,
        IdentifierNormalizer normalizer,
        VerificationService verification,
        SessionService sessions,
        ServerKeys keys,
        TalkoDbContext db,
        TimeProvider time,
        IEnumerable<IIdentifierVerifiedListener> listeners,
        ILogger<IIdentifierVerifiedListener> logger)
    {
        var validation = new Validation();
        var identifier = validation.Identifier(normalizer, request.Identifier, request.Region);
        validation.Code(request.Code);
        var device = validation.Device(request.Device);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var cancellationToken = http.RequestAborted;
        var (check, attemptsLeft) = await verification.CheckAsync(identifier!, request.Code!, ChallengePurpose.SignIn, null, cancellationToken);
        if (check != CodeCheck.Accepted)
        {
            SignInMetrics.CodeRefused(check);
            return AccountsProblems.Code(check, attemptsLeft);
        }

        var (userId, created) = await FindOrCreateUserAsync(db, keys, identifier!, time.GetUtcNow().UtcDateTime, cancellationToken);
        var (signedIn, tokens, sip) = await sessions.SignInDeviceAsync(userId, device!, created, cancellationToken);
        if (created)
        {
            await IdentifierVerifiedListeners.NotifyAsync(listeners, userId, logger, cancellationToken);
        }

        return TypedResults.Ok(new VerifyResponse(userId, signedIn.Id, created, tokens, sip));
    }

    private static async Task<Results<Ok<RefreshResponse>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, HttpContext http, SessionService sessions)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken) || request.RefreshToken.Length > 256)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["The refresh token is required."] });
        }

        var (outcome, userId, deviceId, tokens) = await sessions.RefreshAsync(request.RefreshToken, http.RequestAborted);
        if (outcome != RefreshOutcome.Refreshed)
        {
            SignInMetrics.RefreshRefused();
        }

        return outcome == RefreshOutcome.Refreshed
            ? TypedResults.Ok(new RefreshResponse(userId, deviceId, tokens!))
            : AccountsProblems.InvalidRefreshToken();
    }

    private static async Task<NoContent> Logout(HttpContext http, SessionService sessions)
    {
        await sessions.RemoveDevicesAsync(http.User.GetUserId(), [http.User.GetDeviceId()], DeviceRevocationReason.LoggedOut, http.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary>The user holding the identifier, or a new user with it. Two first verifications racing end up on one account.</summary>
    private static async Task<(Guid UserId, bool Created)> FindOrCreateUserAsync(
        TalkoDbContext db, ServerKeys keys, NormalizedIdentifier identifier, DateTime now, CancellationToken cancellationToken)
    {
        var lookupKey = keys.Identifiers.LookupKey(identifier);
        var existing = await db.Set<UserIdentifier>().Where(i => i.LookupKey == lookupKey).Select(i => (Guid?)i.UserId).FirstOrDefaultAsync(cancellationToken);
        if (existing is { } userId)
        {
            return (userId, false);
        }

        var user = new User { Id = Guid.NewGuid(), CreatedAt = now, Discoverable = true };
        user.Identifiers.Add(new UserIdentifier
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            Kind = identifier.Kind,
            LookupKey = lookupKey,
            Hint = identifier.Hint,
            VerifiedAt = now,
        });
        db.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (user.Id, true);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var winner = await db.Set<UserIdentifier>().Where(i => i.LookupKey == lookupKey).Select(i => i.UserId).FirstAsync(cancellationToken);
            return (winner, false);
        }
    }
}
