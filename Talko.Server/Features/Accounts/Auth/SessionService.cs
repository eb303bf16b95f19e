using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Accounts;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts.Auth;

/// <summary>Devices and their tokens: sign a device in, rotate refresh tokens, sign devices out.</summary>
public sealed class SessionService(
    TalkoDbContext db,
    AccessTokenIssuer accessTokens,
    DeviceSessions sessions,
    IOptions<AccountsOptions> options,
    TimeProvider time,
    ILogger<SessionService> logger)
{
    /// <summary>Adds a device to the user (evicting the least recently seen one beyond the limit) and issues its first tokens.</summary>
    public async Task<(Device Device, AuthTokens Tokens, SipCredentials Sip)> SignInDeviceAsync(Guid userId, DeviceRegistration registration, bool newAccount, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = Now();
        var device = new Device
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Platform = registration.Platform!.Value,
            Name = registration.Name!.Trim(),
            PushToken = string.IsNullOrWhiteSpace(registration.PushToken) ? null : registration.PushToken.Trim(),
            CreatedAt = now,
            LastSeenAt = now,
            SipUsername = SipDigestCredentials.GenerateUsername(),
            SipRealm = settings.SipRealm,
            SipHa1Md5 = string.Empty,
            SipHa1Sha256 = string.Empty,
        };
        var sip = SetSipSecret(device);
        db.Add(device);
        var tokens = AddRefreshToken(device, now);
        await db.SaveChangesAsync(cancellationToken);
        if (newAccount)
        {
            AccountsLog.AccountCreated(logger, userId, device.Id);
        }
        else
        {
            AccountsLog.SignedIn(logger, userId, device.Id);
        }

        var surplus = await db.Set<Device>()
            .Where(d => d.UserId == userId)
            .OrderByDescending(d => d.LastSeenAt).ThenByDescending(d => d.CreatedAt)
            .Skip(settings.MaxDevicesPerUser)
            .Select(d => d.Id)
            .ToListAsync(cancellationToken);
        if (surplus.Count > 0)
        {
            await RemoveDevicesAsync(userId, surplus, DeviceRevocationReason.Evicted, cancellationToken);
        }

        return (device, tokens, sip);
    }

    public async Task<(RefreshOutcome Outcome, Guid UserId, Guid DeviceId, AuthTokens? Tokens)> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var hash = OpaqueTokens.Hash(refreshToken);
        var now = Now();
        var tokens = db.Set<RefreshToken>();
        var stored = await tokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (stored is null)
        {
            return (RefreshOutcome.Invalid, default, default, null);
        }

        var device = await db.Set<Device>().FirstOrDefaultAsync(d => d.Id == stored.DeviceId, cancellationToken);
        if (device is null)
        {
            return (RefreshOutcome.Invalid, default, default, null);
        }

        // Mark it used only if nobody did before: the loser of a race, or a replay, sees 0 rows.
        var claimed = await tokens.Where(t => t.Id == stored.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (claimed == 0)
        {
            AccountsLog.RefreshTokenReused(logger, device.UserId, device.Id);
            await RemoveDevicesAsync(device.UserId, [device.Id], DeviceRevocationReason.RefreshTokenReused, cancellationToken);
            return (RefreshOutcome.Reused, device.UserId, device.Id, null);
        }

        if (stored.ExpiresAt <= now)
        {
            return (RefreshOutcome.Invalid, default, default, null);
        }

        device.LastSeenAt = now;
        var issued = AddRefreshToken(device, now);
        // Spent tokens are kept until they would have expired, for reuse detection; older ones go.
        await tokens.Where(t => t.DeviceId == device.Id && t.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return (RefreshOutcome.Refreshed, device.UserId, device.Id, issued);
    }

    /// <summary>
    /// Signs devices out: deletes those of <paramref name="userId"/> among <paramref name="deviceIds"/> (with their
    /// refresh tokens) and revokes exactly those, on every instance. An id that is not this user's device is left
    /// alone: revoking it would let anyone who saw a device id (co-members see them in calls) sign its owner out.
    /// </summary>
    public async Task<int> RemoveDevicesAsync(Guid userId, IReadOnlyCollection<Guid> deviceIds, DeviceRevocationReason reason, CancellationToken cancellationToken)
    {
        var owned = await db.Set<Device>()
            .Where(d => d.UserId == userId && deviceIds.Contains(d.Id))
            .Select(d => d.Id)
            .ToListAsync(cancellationToken);
        if (owned.Count < deviceIds.Count && reason == DeviceRevocationReason.Deleted)
        {
            await LogForeignDevicesAsync(userId, deviceIds.Except(owned).ToList(), cancellationToken);
        }

        if (owned.Count == 0)
        {
            return 0;
        }

        var removed = await db.Set<Device>()
            .Where(d => d.UserId == userId && owned.Contains(d.Id))
            .ExecuteDeleteAsync(cancellationToken);
        await sessions.RevokeAsync(userId, owned, reason);
        return removed;
    }

    /// <summary>
    /// Device ids are visible to co-members (call participants), so a request naming another user's device is an
    /// authorization event worth a Warning; ids that exist nowhere are a plain client mistake and stay quiet.
    /// </summary>
    private async Task LogForeignDevicesAsync(Guid userId, List<Guid> notOwned, CancellationToken cancellationToken)
    {
        var foreign = await db.Set<Device>().AsNoTracking().Where(d => notOwned.Contains(d.Id)).Select(d => new { d.Id, d.UserId }).ToListAsync(cancellationToken);
        foreach (var device in foreign)
        {
            AccountsLog.ForeignDeviceRemovalRefused(logger, userId, device.Id, device.UserId);
        }
    }

    /// <summary>Issues a new SIP secret for the device (the old one stops working) and returns it once.</summary>
    public SipCredentials SetSipSecret(Device device)
    {
        var secret = SipDigestCredentials.GenerateSecret();
        device.SipRealm = options.Value.SipRealm;
        device.SipHa1Md5 = SipDigestCredentials.Ha1Md5(device.SipUsername, device.SipRealm, secret);
        device.SipHa1Sha256 = SipDigestCredentials.Ha1Sha256(device.SipUsername, device.SipRealm, secret);
        return new SipCredentials(device.SipUsername, device.SipRealm, secret);
    }

    private AuthTokens AddRefreshToken(Device device, DateTime now)
    {
        var refresh = OpaqueTokens.Generate();
        var refreshExpiresAt = now + options.Value.RefreshTokenLifetime;
        db.Add(new RefreshToken
        {
            Id = Guid.NewGuid(),
            DeviceId = device.Id,
            TokenHash = OpaqueTokens.Hash(refresh),
            CreatedAt = now,
            ExpiresAt = refreshExpiresAt,
        });
        var (access, accessExpiresAt) = accessTokens.Issue(device.UserId, device.Id);
        return new AuthTokens(access, accessExpiresAt, refresh, refreshExpiresAt);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}

public enum RefreshOutcome
{
    Refreshed,
    Invalid,
    Reused,
}
