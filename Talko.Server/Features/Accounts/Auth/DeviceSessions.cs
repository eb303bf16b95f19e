using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Talko.Core.Ephemeral;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts.Auth;

/// <summary>
/// Decides whether a device's access tokens still count. A revocation is immediate everywhere: this
/// instance drops its cached answer, and a revocation marker in the shared ephemeral store (read on
/// every request, one key lookup) tells every other instance. The database is asked at most once per
/// <see cref="AccountsOptions.DeviceCheckCacheDuration"/> per device, which also covers a lost marker.
/// </summary>
public sealed class DeviceSessions(IEphemeralStore store, KeySpace keys, IMemoryCache cache, IOptions<AccountsOptions> options)
{
    public async Task<bool> IsActiveAsync(Guid userId, Guid deviceId, TalkoDbContext db, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(keys.RevokedDevice(deviceId)) is not null)
        {
            return false;
        }

        var cacheKey = CacheKey(deviceId);
        if (cache.TryGetValue(cacheKey, out Guid owner))
        {
            return owner == userId;
        }

        var exists = await db.Set<Device>().AnyAsync(d => d.Id == deviceId && d.UserId == userId, cancellationToken);
        if (exists)
        {
            cache.Set(cacheKey, userId, options.Value.DeviceCheckCacheDuration);
        }

        return exists;
    }

    /// <summary>Call after the device rows are gone: its access tokens are refused from now on, on every instance.</summary>
    public async Task RevokeAsync(IEnumerable<Guid> deviceIds)
    {
        foreach (var deviceId in deviceIds)
        {
            cache.Remove(CacheKey(deviceId));
            // A marker must outlive every access token issued before the revocation.
            await store.SetAsync(keys.RevokedDevice(deviceId), "1", options.Value.AccessTokenLifetime + TimeSpan.FromMinutes(5));
        }
    }

    private static string CacheKey(Guid deviceId) => $"talko:device-owner:{deviceId:N}";
}
