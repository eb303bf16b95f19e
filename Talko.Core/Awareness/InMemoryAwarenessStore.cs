namespace Talko.Core.Awareness;

/// <summary>
/// The embedded (single instance) awareness store. One lock makes each operation atomic, as a Lua
/// script is on Redis, and the layout mirrors the Redis one (connections per user, a due index,
/// connections per instance) so both follow the same rules step by step.
/// </summary>
public sealed class InMemoryAwarenessStore : IAwarenessStore
{
    private readonly Dictionary<string, Dictionary<string, ConnectionAwareness>> connectionsByUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UserAwareness> aggregates = new(StringComparer.Ordinal);
    private readonly SortedSet<(long Due, string UserId)> dueIndex = new();
    private readonly Dictionary<string, long> dueByUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> connectionsByInstance = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public Task<UserAwareness?> UpsertAsync(ConnectionAwareness connection, DateTimeOffset now)
    {
        lock (gate)
        {
            ConnectionsOf(connection.UserId)[connection.ConnectionId] = connection;
            InstanceConnections(connection.InstanceId)[connection.ConnectionId] = connection.UserId;
            return Task.FromResult(Recompute(connection.UserId, AwarenessAggregator.Ms(now)));
        }
    }

    public Task<UserAwareness?> RemoveAsync(string instanceId, ConnectionKey connection, DateTimeOffset now)
    {
        lock (gate)
        {
            return Task.FromResult(RemoveLocked(instanceId, connection, AwarenessAggregator.Ms(now)));
        }
    }

    public Task<RenewResult> RenewAsync(string instanceId, IReadOnlyCollection<ConnectionKey> connections, DateTimeOffset leaseUntil, DateTimeOffset now)
    {
        var lost = new List<ConnectionKey>();
        var changes = new List<UserAwareness>();
        lock (gate)
        {
            var at = AwarenessAggregator.Ms(now);
            foreach (var key in connections)
            {
                if (connectionsByUser.TryGetValue(key.UserId, out var userConnections)
                    && userConnections.TryGetValue(key.ConnectionId, out var current)
                    && AwarenessAggregator.IsLive(current, at))
                {
                    userConnections[key.ConnectionId] = current with { LeaseUntil = leaseUntil };
                    InstanceConnections(instanceId)[key.ConnectionId] = key.UserId;
                }
                else
                {
                    lost.Add(key);
                    connectionsByInstance.GetValueOrDefault(instanceId)?.Remove(key.ConnectionId);
                }

                if (Recompute(key.UserId, at) is { } change)
                {
                    changes.Add(change);
                }
            }
        }

        return Task.FromResult(new RenewResult(lost, changes));
    }

    public Task<IReadOnlyList<UserAwareness>> ReapDueAsync(DateTimeOffset now, int max)
    {
        var changes = new List<UserAwareness>();
        lock (gate)
        {
            var at = AwarenessAggregator.Ms(now);
            var due = dueIndex.TakeWhile(entry => entry.Due <= at).Take(max).Select(entry => entry.UserId).ToList();
            foreach (var userId in due)
            {
                if (Recompute(userId, at) is { } change)
                {
                    changes.Add(change);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<UserAwareness>>(changes);
    }

    public Task<IReadOnlyList<UserAwareness>> ReapInstanceAsync(string instanceId, DateTimeOffset now, int batchSize)
    {
        var changes = new List<UserAwareness>();
        lock (gate)
        {
            var at = AwarenessAggregator.Ms(now);
            if (connectionsByInstance.TryGetValue(instanceId, out var held))
            {
                foreach (var (connectionId, userId) in held.ToArray())
                {
                    if (RemoveLocked(instanceId, new ConnectionKey(userId, connectionId), at) is { } change)
                    {
                        changes.Add(change);
                    }
                }
            }

            connectionsByInstance.Remove(instanceId);
        }

        return Task.FromResult<IReadOnlyList<UserAwareness>>(changes);
    }

    public Task<IReadOnlyCollection<string>> InstancesAsync()
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyCollection<string>>(connectionsByInstance.Keys.ToArray());
        }
    }

    public Task<IReadOnlyList<UserAwareness>> GetAsync(IReadOnlyCollection<string> userIds)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<UserAwareness>>(
                userIds.Select(id => aggregates.GetValueOrDefault(id) ?? UserAwareness.Offline(id)).ToList());
        }
    }

    public Task<IReadOnlyList<ConnectionAwareness>> GetConnectionsAsync(IReadOnlyCollection<string> userIds, DateTimeOffset now)
    {
        lock (gate)
        {
            var at = AwarenessAggregator.Ms(now);
            return Task.FromResult<IReadOnlyList<ConnectionAwareness>>(userIds
                .SelectMany(id => connectionsByUser.GetValueOrDefault(id)?.Values ?? Enumerable.Empty<ConnectionAwareness>())
                .Where(c => AwarenessAggregator.IsLive(c, at))
                .ToList());
        }
    }

    private UserAwareness? RemoveLocked(string instanceId, ConnectionKey connection, long now)
    {
        connectionsByUser.GetValueOrDefault(connection.UserId)?.Remove(connection.ConnectionId);
        if (connectionsByInstance.TryGetValue(instanceId, out var held))
        {
            held.Remove(connection.ConnectionId);
            if (held.Count == 0)
            {
                connectionsByInstance.Remove(instanceId);
            }
        }

        return Recompute(connection.UserId, now);
    }

    /// <summary>Drops expired connections, expires typing, recomputes the aggregate; returns it if it changed.</summary>
    private UserAwareness? Recompute(string userId, long now)
    {
        var live = new List<ConnectionAwareness>();
        if (connectionsByUser.TryGetValue(userId, out var userConnections))
        {
            foreach (var (connectionId, connection) in userConnections.ToArray())
            {
                if (!AwarenessAggregator.IsLive(connection, now))
                {
                    userConnections.Remove(connectionId);
                    continue;
                }

                var current = AwarenessAggregator.ExpireTyping(connection, now);
                userConnections[connectionId] = current;
                live.Add(current);
            }

            if (userConnections.Count == 0)
            {
                connectionsByUser.Remove(userId);
            }
        }

        SetDue(userId, AwarenessAggregator.NextDue(live));
        var aggregate = AwarenessAggregator.Aggregate(userId, live);
        var previous = aggregates.GetValueOrDefault(userId) ?? UserAwareness.Offline(userId);
        if (aggregate == UserAwareness.Offline(userId))
        {
            aggregates.Remove(userId);
        }
        else
        {
            aggregates[userId] = aggregate;
        }

        return aggregate == previous ? null : aggregate;
    }

    private void SetDue(string userId, long? due)
    {
        if (dueByUser.Remove(userId, out var old))
        {
            dueIndex.Remove((old, userId));
        }

        if (due is { } next)
        {
            dueByUser[userId] = next;
            dueIndex.Add((next, userId));
        }
    }

    private Dictionary<string, ConnectionAwareness> ConnectionsOf(string userId)
    {
        if (!connectionsByUser.TryGetValue(userId, out var connections))
        {
            connections = new Dictionary<string, ConnectionAwareness>(StringComparer.Ordinal);
            connectionsByUser[userId] = connections;
        }

        return connections;
    }

    private Dictionary<string, string> InstanceConnections(string instanceId)
    {
        if (!connectionsByInstance.TryGetValue(instanceId, out var connections))
        {
            connections = new Dictionary<string, string>(StringComparer.Ordinal);
            connectionsByInstance[instanceId] = connections;
        }

        return connections;
    }
}
