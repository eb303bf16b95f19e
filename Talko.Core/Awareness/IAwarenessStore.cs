namespace Talko.Core.Awareness;

/// <summary>
/// Shared awareness state: every device connection's state and every user's aggregate. Each update is
/// one atomic step (a Lua script on Redis, one lock in memory) that writes the connection, recomputes
/// the user's aggregate and reports whether it changed, so watchers hear each real change exactly once
/// however many instances update or reap at the same moment. Every method takes the caller's
/// <c>now</c>, which decides what has expired.
/// </summary>
public interface IAwarenessStore
{
    /// <summary>Writes one connection's whole state. Returns the user's new aggregate if it changed.</summary>
    Task<UserAwareness?> UpsertAsync(ConnectionAwareness connection, DateTimeOffset now);

    /// <summary>Removes a connection (a goodbye). Returns the user's new aggregate if it changed.</summary>
    Task<UserAwareness?> RemoveAsync(string instanceId, ConnectionKey connection, DateTimeOffset now);

    /// <summary>Extends the leases of an instance's live connections to <paramref name="leaseUntil"/>.</summary>
    Task<RenewResult> RenewAsync(string instanceId, IReadOnlyCollection<ConnectionKey> connections, DateTimeOffset leaseUntil, DateTimeOffset now);

    /// <summary>
    /// Recomputes up to <paramref name="max"/> users that have something due (an expired lease, an
    /// expired typing activity) and returns the aggregates that changed.
    /// </summary>
    Task<IReadOnlyList<UserAwareness>> ReapDueAsync(DateTimeOffset now, int max);

    /// <summary>Removes every connection held by an instance that died, and returns the aggregates that changed.</summary>
    Task<IReadOnlyList<UserAwareness>> ReapInstanceAsync(string instanceId, DateTimeOffset now, int batchSize);

    /// <summary>Instances that hold (or held) connections, for finding dead ones.</summary>
    Task<IReadOnlyCollection<string>> InstancesAsync();

    /// <summary>The aggregates of these users as last computed; users with no live connection read offline.</summary>
    Task<IReadOnlyList<UserAwareness>> GetAsync(IReadOnlyCollection<string> userIds);

    /// <summary>
    /// The live connections of these users (leases not yet expired at <paramref name="now"/>), device by
    /// device: notifications read it to tell a device that is looking from one that is away.
    /// </summary>
    Task<IReadOnlyList<ConnectionAwareness>> GetConnectionsAsync(IReadOnlyCollection<string> userIds, DateTimeOffset now);
}
