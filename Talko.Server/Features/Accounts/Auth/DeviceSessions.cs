using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Core.Logging;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Accounts.Auth;

/// <summary>
/// Decides whether a device's access tokens still count. A revocation is immediate everywhere: this
/// instance drops its cached answer, and a revocation marker in the shared ephemeral store (read on
/// every request, one key lookup) tells every other instance. The database is asked at most once per
/// <see cref="AccountsOptions.DeviceCheckCacheDuration"/> per device, which also covers a lost marker.
/// A revocation is also published on the event bus, so every instance closes the device's realtime
/// connections (see Realtime's RevokedConnectionCloser).
/// While the store is away every check asks the database, which is the authority (a revoked device's row is gone);
/// answers cached before an outage are not trusted after it, since a revocation during the outage left no marker
/// (ADR 0205).
/// </summary>
public sealed class DeviceSessions
{
    private readonly IEphemeralStore store;
    private readonly IEventBus bus;
    private readonly KeySpace keys;
    private readonly IMemoryCache cache;
    private readonly SipCredentialCache sipCredentials;
    private readonly IOptions<AccountsOptions> options;
    private readonly ILogger<DeviceSessions> logger;
    private readonly LogThrottle degradedLog;
    private long lastStoreFailure = long.MinValue / 2;

    /// <summary>Bumped by every store failure and backplane recovery; cached answers of an older generation are asked again.</summary>
    private long generation;

    public DeviceSessions(
        IEphemeralStore store,
        IEventBus bus,
        KeySpace keys,
        IMemoryCache cache,
        SipCredentialCache sipCredentials,
        IBackplaneHealth backplane,
        IOptions<AccountsOptions> options,
        IOptions<TalkoOptions> talko,
        ILogger<DeviceSessions> logger)
    {
        this.store = store;
        this.bus = bus;
        this.keys = keys;
        this.cache = cache;
        this.sipCredentials = sipCredentials;
        this.options = options;
        this.logger = logger;
        degradedLog = new LogThrottle(talko.Value.RepeatedFailureLogInterval);
        // An instance that served no request during an outage still learns of it here.
        backplane.Restored += () => Interlocked.Increment(ref generation);
    }

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
            Interlocked.Increment(ref generation);
            if (degradedLog.ShouldWrite(out var heldBack))
            {
                AccountsLog.DeviceCheckDegraded(logger, exception.GetType().Name, exception.Message, heldBack);
            }

            return await ExistsAsync(userId, deviceId, db, cancellationToken);
        }

        if (marker is not null)
        {
            return false;
        }

        var cacheKey = CacheKey(deviceId);
        var current = Interlocked.Read(ref generation);
        if (cache.TryGetValue(cacheKey, out CachedOwner cached) && cached.Generation == current)
        {
            return cached.UserId == userId;
        }

        var exists = await ExistsAsync(userId, deviceId, db, cancellationToken);
        if (exists)
        {
            cache.Set(cacheKey, new CachedOwner(userId, current), options.Value.DeviceCheckCacheDuration);
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

        sipCredentials.Forget(deviceIds);
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

    private readonly record struct CachedOwner(Guid UserId, long Generation);
}
