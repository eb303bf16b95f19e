using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Accounts;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts.Codes;

public enum CodeCheck
{
    Accepted,
    Wrong,
    Expired,
    TooManyAttempts,
}

/// <summary>
/// One-time codes: issue (throttled per requester, with a cool-down per identifier: see <see cref="CodeRequestThrottle"/>),
/// check (expiry, attempt limit, single use). Up to <see cref="AccountsOptions.MaxOutstandingCodes"/> codes are valid
/// at once, so a code requested by a stranger does not void the one the owner is typing. Known and unknown identifiers
/// take the same path, so responses reveal nothing.
/// </summary>
public sealed class VerificationService(
    TalkoDbContext db,
    ServerKeys keys,
    IVerificationCodeSender sender,
    CodeRequestThrottle throttle,
    IOptions<AccountsOptions> options,
    TimeProvider time,
    ILogger<VerificationService> logger)
{
    /// <summary>
    /// Issues and sends a new code for <paramref name="requester"/> (a source address, or the signed-in user). Returns a
    /// retry delay when that requester's limit is reached; otherwise null, also when the identifier is cooling down and
    /// nothing was sent.
    /// </summary>
    public async Task<TimeSpan?> StartAsync(NormalizedIdentifier identifier, ChallengePurpose purpose, Guid? userId, string requester, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lookupKey = keys.Identifiers.LookupKey(identifier);
        var (decision, retryAfter) = await throttle.DecideAsync(requester, lookupKey);
        switch (decision)
        {
            case CodeRequestDecision.RequesterLimited:
                AccountsLog.CodeRequestsLimited(logger, requester, identifier.Hint);
                return retryAfter;
            case CodeRequestDecision.CoolingDown when await HasUsableCodeAsync(lookupKey, purpose, userId, cancellationToken):
                AccountsLog.CodeCoolingDown(logger, identifier.Hint);
                return null;
        }

        // Past this point a code is sent: none went out within the cool-down, or the one that did was already used
        // (a second device signing in moments after the first) or spent its guesses, so withholding would lock out.
        var now = time.GetUtcNow().UtcDateTime;
        var challenges = db.Set<VerificationChallenge>();
        await challenges.Where(c => c.ExpiresAt < now.AddDays(-1)).ExecuteDeleteAsync(cancellationToken);
        var retired = await challenges.AsNoTracking()
            .Where(c => c.LookupKey == lookupKey && c.Purpose == purpose && c.UserId == userId)
            .OrderByDescending(c => c.CreatedAt)
            .Skip(settings.MaxOutstandingCodes - 1)
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        if (retired.Count > 0)
        {
            await challenges.Where(c => retired.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken);
        }

        var challenge = new VerificationChallenge
        {
            Id = Guid.NewGuid(),
            LookupKey = lookupKey,
            Purpose = purpose,
            UserId = userId,
            CodeHash = string.Empty,
            CreatedAt = now,
            ExpiresAt = now + settings.CodeLifetime,
        };
        var code = VerificationCodes.Generate();
        challenge.CodeHash = keys.Codes.Hash(challenge.Id, code);
        challenges.Add(challenge);
        await db.SaveChangesAsync(cancellationToken);

        try
        {
            await sender.SendAsync(identifier, code, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A delivery failure is ours, not the caller's, and saying so would tell apart identifiers;
            // the user asks for a new code if none arrives.
            AccountsLog.CodeDeliveryFailed(logger, identifier.Hint, exception);
        }

        return null;
    }

    private Task<bool> HasUsableCodeAsync(string lookupKey, ChallengePurpose purpose, Guid? userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var maxAttempts = options.Value.MaxCodeAttempts;
        return db.Set<VerificationChallenge>().AsNoTracking().AnyAsync(
            c => c.LookupKey == lookupKey && c.Purpose == purpose && c.UserId == userId && c.ExpiresAt > now && c.Attempts < maxAttempts,
            cancellationToken);
    }

    /// <summary>
    /// Checks a code against the identifier's outstanding codes; an accepted code is consumed (so it works once) and
    /// retires the others. A wrong guess counts against every outstanding code, so several valid codes do not multiply
    /// the guesses an attacker gets.
    /// </summary>
    public async Task<(CodeCheck Result, int AttemptsLeft)> CheckAsync(NormalizedIdentifier identifier, string code, ChallengePurpose purpose, Guid? userId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lookupKey = keys.Identifiers.LookupKey(identifier);
        var now = time.GetUtcNow().UtcDateTime;
        var challenges = db.Set<VerificationChallenge>();
        var outstanding = await challenges.AsNoTracking()
            .Where(c => c.LookupKey == lookupKey && c.Purpose == purpose && c.UserId == userId && c.ExpiresAt > now)
            .OrderByDescending(c => c.CreatedAt)
            .Take(settings.MaxOutstandingCodes)
            .ToListAsync(cancellationToken);
        if (outstanding.Count == 0)
        {
            return (CodeCheck.Expired, 0);
        }

        // Count the attempt on each code before judging it, atomically, so parallel guesses cannot exceed the limit;
        // only a code whose count went up may accept the guess.
        var counted = new List<VerificationChallenge>();
        foreach (var challenge in outstanding)
        {
            var id = challenge.Id;
            if (await challenges.Where(c => c.Id == id && c.Attempts < settings.MaxCodeAttempts)
                    .ExecuteUpdateAsync(set => set.SetProperty(c => c.Attempts, c => c.Attempts + 1), cancellationToken) == 1)
            {
                counted.Add(challenge);
            }
        }

        if (counted.Count == 0)
        {
            return (CodeCheck.TooManyAttempts, 0);
        }

        var attemptsLeft = settings.MaxCodeAttempts - counted.Min(c => c.Attempts) - 1;
        var match = counted.FirstOrDefault(c => keys.Codes.Matches(c.Id, code, c.CodeHash));
        if (match is null)
        {
            return (attemptsLeft > 0 ? CodeCheck.Wrong : CodeCheck.TooManyAttempts, attemptsLeft);
        }

        // Consume: of two requests racing with the right code, only one gets it. The other codes go with it.
        var consumed = await challenges.Where(c => c.Id == match.Id).ExecuteDeleteAsync(cancellationToken);
        if (consumed != 1)
        {
            return (CodeCheck.Expired, 0);
        }

        await challenges.Where(c => c.LookupKey == lookupKey && c.Purpose == purpose && c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        return (CodeCheck.Accepted, attemptsLeft);
    }
}
