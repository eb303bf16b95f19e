using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Accounts;
using Talko.Core.Ephemeral;
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
/// One-time codes: issue (rate limited per identifier across instances), check (expiry, attempt limit,
/// single use). Known and unknown identifiers take the same path, so responses reveal nothing.
/// </summary>
public sealed class VerificationService(
    TalkoDbContext db,
    ServerKeys keys,
    IVerificationCodeSender sender,
    IEphemeralStore store,
    KeySpace keySpace,
    IOptions<AccountsOptions> options,
    TimeProvider time,
    ILogger<VerificationService> logger)
{
    /// <summary>Issues and sends a new code, replacing any outstanding one. Returns a retry delay when the identifier's limit is reached.</summary>
    public async Task<TimeSpan?> StartAsync(NormalizedIdentifier identifier, ChallengePurpose purpose, Guid? userId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lookupKey = keys.Identifiers.LookupKey(identifier);
        var counter = keySpace.CodeRequests(lookupKey);
        if (await store.IncrementAsync(counter, 1, settings.CodeRequestWindow) > settings.CodeRequestsPerIdentifier)
        {
            return await store.GetTimeToLiveAsync(counter) ?? settings.CodeRequestWindow;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await db.Set<VerificationChallenge>()
            .Where(c => (c.LookupKey == lookupKey && c.Purpose == purpose && c.UserId == userId) || c.ExpiresAt < now.AddDays(-1))
            .ExecuteDeleteAsync(cancellationToken);
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
        db.Add(challenge);
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

    /// <summary>Checks a code; an accepted code is consumed, so it works once.</summary>
    public async Task<(CodeCheck Result, int AttemptsLeft)> CheckAsync(NormalizedIdentifier identifier, string code, ChallengePurpose purpose, Guid? userId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lookupKey = keys.Identifiers.LookupKey(identifier);
        var now = time.GetUtcNow().UtcDateTime;
        var challenges = db.Set<VerificationChallenge>();
        var challenge = await challenges.AsNoTracking()
            .Where(c => c.LookupKey == lookupKey && c.Purpose == purpose && c.UserId == userId)
            .OrderByDescending(c => c.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (challenge is null || challenge.ExpiresAt <= now)
        {
            return (CodeCheck.Expired, 0);
        }

        // Count the attempt before judging it, atomically, so parallel guesses cannot exceed the limit.
        var counted = await challenges
            .Where(c => c.Id == challenge.Id && c.Attempts < settings.MaxCodeAttempts)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.Attempts, c => c.Attempts + 1), cancellationToken);
        if (counted == 0)
        {
            return (CodeCheck.TooManyAttempts, 0);
        }

        var attemptsLeft = settings.MaxCodeAttempts - challenge.Attempts - 1;
        if (!keys.Codes.Matches(challenge.Id, code, challenge.CodeHash))
        {
            return (attemptsLeft > 0 ? CodeCheck.Wrong : CodeCheck.TooManyAttempts, attemptsLeft);
        }

        // Consume: of two requests racing with the right code, only one gets it.
        var consumed = await challenges.Where(c => c.Id == challenge.Id).ExecuteDeleteAsync(cancellationToken);
        return consumed == 1 ? (CodeCheck.Accepted, attemptsLeft) : (CodeCheck.Expired, 0);
    }
}
