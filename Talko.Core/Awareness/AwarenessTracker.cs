using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Talko.Core.Instances;

namespace Talko.Core.Awareness;

/// <summary>
/// This instance's device connections and their awareness. It owns each connection's state, writes
/// the whole state to the shared <see cref="IAwarenessStore"/> on every change, and passes the
/// aggregates that changed to the <see cref="IAwarenessNotifier"/>. Client heartbeats stay in memory;
/// <see cref="RenewAsync"/> renews every lease in batches and drops devices that went silent, so 5,000
/// clients cost a few store calls per renewal rather than one per heartbeat.
/// </summary>
public sealed class AwarenessTracker(
    IAwarenessStore store,
    IAwarenessNotifier notifier,
    InstanceLifecycle instance,
    IOptions<AwarenessOptions> options,
    TimeProvider time,
    ILogger<AwarenessTracker> logger)
{
    private readonly ConcurrentDictionary<string, LocalConnection> connections = new(StringComparer.Ordinal);

    private AwarenessOptions Options => options.Value;

    public int Count => connections.Count;

    /// <summary>How often a client must heartbeat its connection (told to clients when they connect).</summary>
    public TimeSpan ClientHeartbeatInterval => Options.ClientHeartbeatInterval;

    /// <summary>Registers a new connection as online with no activity.</summary>
    public async Task ConnectAsync(string connectionId, string userId, string? deviceId)
    {
        AwarenessValidation.Id(connectionId, nameof(connectionId), Options);
        AwarenessValidation.Id(userId, nameof(userId), Options);
        var now = time.GetUtcNow();
        var state = new ConnectionAwareness(userId, connectionId, deviceId, instance.InstanceId, Presence.Online, Activity.None, now, null, null, now, now + Options.ConnectionLease);
        var connection = new LocalConnection(state, now);
        if (!connections.TryAdd(connectionId, connection))
        {
            throw new InvalidOperationException($"Connection {connectionId} is already tracked.");
        }

        await UpdateAsync(connection, s => s).ConfigureAwait(false);
    }

    /// <summary>
    /// A client's heartbeat: it is still there, idle for <paramref name="idleFor"/> (time since the
    /// person last touched the app). Writes to the store only when presence flips.
    /// </summary>
    public async Task<bool> HeartbeatAsync(string connectionId, TimeSpan idleFor)
    {
        if (!connections.TryGetValue(connectionId, out var connection))
        {
            return false;
        }

        var presence = idleFor >= Options.AwayAfter ? Presence.Away : Presence.Online;
        await UpdateAsync(connection, s => s.Presence == presence ? s : s with { Presence = presence }).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A client's heartbeat for a connection that may have been dropped as silent (its beats stopped for longer than
    /// <see cref="AwarenessOptions.DeviceTimeout"/> while its socket lived on: a stalled page or a starved server): a
    /// dropped one is tracked again, online with no activity. False when it had been dropped, so the client says its
    /// activity again.
    /// </summary>
    public async Task<bool> HeartbeatOrRejoinAsync(string connectionId, string userId, string? deviceId, TimeSpan idleFor)
    {
        if (await HeartbeatAsync(connectionId, idleFor).ConfigureAwait(false))
        {
            return true;
        }

        try
        {
            await ConnectAsync(connectionId, userId, deviceId).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Tracked again meanwhile by another call for the same connection.
        }

        await HeartbeatAsync(connectionId, idleFor).ConfigureAwait(false);
        return false;
    }

    /// <summary>Sets the device's activity; setting one is an interaction, so the device is online. Typing expires by itself.</summary>
    public async Task<bool> SetActivityAsync(string connectionId, Activity activity)
    {
        AwarenessValidation.Activity(activity, Options);
        var normalized = AwarenessValidation.Normalize(activity);
        if (!connections.TryGetValue(connectionId, out var connection))
        {
            return false;
        }

        await UpdateAsync(connection, s =>
        {
            var now = time.GetUtcNow();
            return s with
            {
                Presence = Presence.Online,
                Activity = normalized,
                ActivityAt = now,
                TypingUntil = normalized.Kind == ActivityKind.Typing ? now + Options.TypingTimeout : null,
            };
        }).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> SetStatusAsync(string connectionId, string? statusText)
    {
        var status = AwarenessValidation.StatusText(statusText, Options);
        if (!connections.TryGetValue(connectionId, out var connection))
        {
            return false;
        }

        await UpdateAsync(connection, s => s with { StatusText = status, StatusAt = time.GetUtcNow() }).ConfigureAwait(false);
        return true;
    }

    /// <summary>A goodbye: the connection is removed at once.</summary>
    public async Task DisconnectAsync(string connectionId)
    {
        if (connections.TryRemove(connectionId, out var connection))
        {
            await RemoveAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The instance heartbeat for awareness: drops devices not heard from within
    /// <see cref="AwarenessOptions.DeviceTimeout"/>, renews everyone else's lease, and writes again what
    /// the store lost or what failed to be written before.
    /// </summary>
    public async Task RenewAsync()
    {
        var now = time.GetUtcNow();
        var silent = connections.Values.Where(c => now - c.LastHeard >= Options.DeviceTimeout).ToList();
        foreach (var connection in silent)
        {
            if (connections.TryRemove(connection.State.ConnectionId, out _))
            {
                await RemoveAsync(connection).ConfigureAwait(false);
            }
        }

        if (silent.Count > 0)
        {
            AwarenessMetrics.Expired("silent", silent.Count);
            AwarenessLog.DroppedSilent(logger, silent.Count, Options.DeviceTimeout);
        }

        var leaseUntil = now + Options.ConnectionLease;
        var live = connections.Values.ToList();
        foreach (var connection in live)
        {
            connection.LeaseUntil = leaseUntil;
        }

        var renewed = await store.RenewAsync(instance.InstanceId, live.Where(c => !c.Dirty).Select(c => c.Key).ToList(), leaseUntil, now).ConfigureAwait(false);
        await NotifyAsync(renewed.Changes).ConfigureAwait(false);

        var rewrite = renewed.Lost.Select(k => connections.GetValueOrDefault(k.ConnectionId)).OfType<LocalConnection>()
            .Concat(live.Where(c => c.Dirty)).Distinct().ToList();
        foreach (var connection in rewrite)
        {
            connection.Dirty = true;
            await UpdateAsync(connection, s => s).ConfigureAwait(false);
        }

        if (renewed.Lost.Count > 0)
        {
            AwarenessLog.RestoredLost(logger, renewed.Lost.Count);
        }
    }

    /// <summary>Changes one connection's state under its own lock, so its writes reach the store in order.</summary>
    private async Task UpdateAsync(LocalConnection connection, Func<ConnectionAwareness, ConnectionAwareness> change)
    {
        await connection.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            connection.LastHeard = time.GetUtcNow();
            var next = change(connection.State);
            if (ReferenceEquals(next, connection.State) && !connection.Dirty && connection.Written)
            {
                return;
            }

            connection.State = next;
            if (connection.Removed)
            {
                return;
            }

            try
            {
                var changed = await store.UpsertAsync(next with { LeaseUntil = connection.LeaseUntil }, time.GetUtcNow()).ConfigureAwait(false);
                AwarenessMetrics.Updated();
                connection.Dirty = false;
                connection.Written = true;
                await NotifyAsync(changed).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The local state is right; the next renewal writes it again.
                connection.Dirty = true;
                AwarenessLog.StoreUpdateFailed(logger, exception, next.UserId, next.ConnectionId);
                throw;
            }
        }
        finally
        {
            connection.Gate.Release();
        }
    }

    private async Task RemoveAsync(LocalConnection connection)
    {
        await connection.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            connection.Removed = true;
            var changed = await store.RemoveAsync(instance.InstanceId, connection.Key, time.GetUtcNow()).ConfigureAwait(false);
            await NotifyAsync(changed).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The lease runs out by itself and a reaper reports the user offline.
            AwarenessLog.StoreUpdateFailed(logger, exception, connection.State.UserId, connection.State.ConnectionId);
        }
        finally
        {
            connection.Gate.Release();
        }
    }

    private Task NotifyAsync(UserAwareness? change) => change is null ? Task.CompletedTask : NotifyAsync([change]);

    private async Task NotifyAsync(IReadOnlyList<UserAwareness> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        try
        {
            await notifier.PublishAsync(changes).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            AwarenessLog.NotifyFailed(logger, exception, changes.Count);
        }
    }

    private sealed class LocalConnection(ConnectionAwareness state, DateTimeOffset heardAt)
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public ConnectionAwareness State { get; set; } = state;

        public ConnectionKey Key => new(State.UserId, State.ConnectionId);

        public DateTimeOffset LeaseUntil { get; set; } = state.LeaseUntil;

        public DateTimeOffset LastHeard { get; set; } = heardAt;

        /// <summary>The last write failed; the next renewal writes the whole state again.</summary>
        public bool Dirty { get; set; }

        public bool Written { get; set; }

        public bool Removed { get; set; }
    }
}
