using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts;

/// <summary>
/// Deletes an account as docs/privacy.md describes: identifiers, devices, tokens, SIP credentials and
/// pending codes are erased; the user row stays as a nameless tombstone so authored content keeps a
/// valid author ("Deleted user").
/// </summary>
public sealed class AccountDeletion(TalkoDbContext db, DeviceSessions sessions, TimeProvider time, ILogger<AccountDeletion> logger)
{
    public async Task DeleteAsync(Guid userId, CancellationToken cancellationToken)
    {
        var deviceIds = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var devices = await db.Set<Device>().Where(d => d.UserId == userId).Select(d => d.Id).ToListAsync(cancellationToken);
            await db.Set<RefreshToken>().Where(t => devices.Contains(t.DeviceId)).ExecuteDeleteAsync(cancellationToken);
            await db.Set<Device>().Where(d => d.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.Set<UserIdentifier>().Where(i => i.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.Set<VerificationChallenge>().Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            await db.Set<User>().Where(u => u.Id == userId && u.DeletedAt == null).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.DisplayName, (string?)null)
                .SetProperty(u => u.Discoverable, false)
                .SetProperty(u => u.DeletedAt, now), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return devices;
        });
        await sessions.RevokeAsync(userId, deviceIds, DeviceRevocationReason.AccountDeleted);
        AccountsLog.AccountDeleted(logger, userId);
    }
}
