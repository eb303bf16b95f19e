using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts.Auth;

/// <summary>
/// Decides whether a device's access tokens still count. A revocation is immediate everywhere: this
/// instance drops its cached answer, and a revocation marker in the shared ephemeral store (read on
/// every request, one key lookup) tells every other instance. The database is asked at most once per
/// <see cref="AccountsOptions.DeviceCheckCacheDuration"/> per device, which also covers a lost marker.
/// A revocation is also published on the event bus, so every instance closes the device's realtime
/// connections (see Realtime's RevokedConnectionCloser).
/// </summary>
public sealed class DeviceSessions(
    IEphemeralStore store,
    IEventBus bus,
    KeySpace keys,
    IMemoryCache cache,
    IOptions<AccountsOptions> options,
    ILogger<DeviceSessions> logger)
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

    /// <summary>
    /// Call after the device rows of <paramref name="userId"/> are gone: their access tokens are refused from now on,
    /// and their realtime connections are closed, on every instance. Only pass devices that were the user's.
    /// </summary>
    public async Task RevokeAsync(Guid userId, IReadOnlyCollection<Guid> deviceIds, DeviceRevocationReason reason)
    {
        if (deviceIds.Count == 0)
        {
            return;
        }

        foreach (var deviceId in deviceIds)
        {
            cache.Remove(CacheKey(deviceId));
            // A marker must outlive every access token issued before the revocation.
            await store.SetAsync(keys.RevokedDevice(deviceId), "1", options.Value.AccessTokenLifetime + TimeSpan.FromMinutes(5));
            AccountsLog.DeviceRevoked(logger, userId, deviceId, reason);
        }

        var message = JsonSerializer.Serialize(new DeviceRevocation(userId, [.. deviceIds], reason), DeviceRevocationJson.Default.DeviceRevocation);
        await bus.PublishAsync(keys.DeviceRevocationsChannel, message);
    }

    private static string CacheKey(Guid deviceId) => $"talko:device-owner:{deviceId:N}";
}
