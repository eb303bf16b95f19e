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
        // After a failure the store is left alone for a moment, so an outage costs each request one database query
        // instead of a timeout.
        if (Environment.TickCount64 - Interlocked.Read(ref lastStoreFailure) < StoreRetryAfterMs)
        {
            return await ExistsAsync(userId, deviceId, db, cancellationToken);
        }

        string? marker;
        try
        {
            marker = await store.GetAsync(keys.RevokedDevice(deviceId)).WaitAsync(options.Value.RevocationMarkerTimeout, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The ephemeral store is away (Redis down): the database is the authority, since a revoked device's row is
            // gone. Asked directly, not through the cache, because a revocation elsewhere may be newer than the cache.
            Interlocked.Exchange(ref lastStoreFailure, Environment.TickCount64);
            if (ShouldLogDegraded())
            {
                AccountsLog.DeviceCheckDegraded(logger, exception.GetType().Name, exception.Message);
            }

            return await ExistsAsync(userId, deviceId, db, cancellationToken);
        }

        if (marker is not null)
        {
            return false;
        }

        var cacheKey = CacheKey(deviceId);
        if (cache.TryGetValue(cacheKey, out Guid owner))
        {
            return owner == userId;
        }

        var exists = await ExistsAsync(userId, deviceId, db, cancellationToken);
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
            AccountsLog.DeviceRevoked(logger, userId, deviceId, reason);
        }

        try
        {
            foreach (var deviceId in deviceIds)
            {
                // A marker must outlive every access token issued before the revocation.
                await store.SetAsync(keys.RevokedDevice(deviceId), "1", options.Value.AccessTokenLifetime + TimeSpan.FromMinutes(5));
            }

            var message = JsonSerializer.Serialize(new DeviceRevocation(userId, [.. deviceIds], reason), DeviceRevocationJson.Default.DeviceRevocation);
            await bus.PublishAsync(keys.DeviceRevocationsChannel, message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The rows are gone, which is what counts: other instances refuse the device once their cache of it lapses,
            // and their periodic access check closes its connections.
            AccountsLog.RevocationNotPublished(logger, userId, exception.GetType().Name, exception.Message);
        }
    }

    private static Task<bool> ExistsAsync(Guid userId, Guid deviceId, TalkoDbContext db, CancellationToken cancellationToken) =>
        db.Set<Device>().AnyAsync(d => d.Id == deviceId && d.UserId == userId, cancellationToken);

    private static string CacheKey(Guid deviceId) => $"talko:device-owner:{deviceId:N}";

    private const long StoreRetryAfterMs = 2_000;

    private long lastDegradedLog;
    private long lastStoreFailure = long.MinValue / 2;

    /// <summary>One line per ten seconds while the store is away, not one per request.</summary>
    private bool ShouldLogDegraded()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastDegradedLog);
        return now - last >= 10_000 && Interlocked.CompareExchange(ref lastDegradedLog, now, last) == last;
    }
}
