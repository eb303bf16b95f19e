using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Talko.Core.Ephemeral;

namespace Talko.Core.Awareness;

/// <summary>
/// The scale-out awareness store. Every update is one call of <see cref="RedisAwarenessScripts.Apply"/>,
/// so connection writes, the aggregate and "did it change" are decided in one atomic step on Redis.
/// Key names come from <see cref="KeySpace"/>.
/// </summary>
public sealed class RedisAwarenessStore(IConnectionMultiplexer redis, KeySpace keys, IOptions<AwarenessOptions> options) : IAwarenessStore
{
    private IDatabase Db => redis.GetDatabase();

    private AwarenessOptions Options => options.Value;

    public async Task<UserAwareness?> UpsertAsync(ConnectionAwareness connection, DateTimeOffset now)
    {
        var (changes, _) = await ApplyAsync(
            RedisAwarenessScripts.Upsert,
            connection.InstanceId,
            [(connection.UserId, connection.ConnectionId, AwarenessCodec.EncodeConnection(connection))],
            now).ConfigureAwait(false);
        return changes.Count > 0 ? changes[0] : null;
    }

    public async Task<UserAwareness?> RemoveAsync(string instanceId, ConnectionKey connection, DateTimeOffset now)
    {
        var (changes, _) = await ApplyAsync(RedisAwarenessScripts.Remove, instanceId, [(connection.UserId, connection.ConnectionId, "")], now).ConfigureAwait(false);
        return changes.Count > 0 ? changes[0] : null;
    }

    public async Task<RenewResult> RenewAsync(string instanceId, IReadOnlyCollection<ConnectionKey> connections, DateTimeOffset leaseUntil, DateTimeOffset now)
    {
        var lease = AwarenessAggregator.Ms(leaseUntil).ToString(CultureInfo.InvariantCulture);
        var lost = new List<ConnectionKey>();
        var changes = new List<UserAwareness>();
        foreach (var batch in connections.Chunk(Math.Max(1, Options.BatchSize)))
        {
            var (batchChanges, batchLost) = await ApplyAsync(
                RedisAwarenessScripts.Renew,
                instanceId,
                batch.Select(c => (c.UserId, c.ConnectionId, lease)).ToArray(),
                now).ConfigureAwait(false);
            changes.AddRange(batchChanges);
            lost.AddRange(batchLost);
        }

        return new RenewResult(lost, changes);
    }

    public async Task<IReadOnlyList<UserAwareness>> ReapDueAsync(DateTimeOffset now, int max)
    {
        var due = await Db.SortedSetRangeByScoreAsync(keys.AwarenessDue, double.NegativeInfinity, AwarenessAggregator.Ms(now), take: max).ConfigureAwait(false);
        if (due.Length == 0)
        {
            return [];
        }

        var (changes, _) = await ApplyAsync(RedisAwarenessScripts.Reap, instanceId: null, due.Select(u => (u.ToString(), "", "")).ToArray(), now).ConfigureAwait(false);
        return changes;
    }

    public async Task<IReadOnlyList<UserAwareness>> ReapInstanceAsync(string instanceId, DateTimeOffset now, int batchSize)
    {
        var held = await Db.HashGetAllAsync(keys.AwarenessInstanceConnections(instanceId)).ConfigureAwait(false);
        var changes = new List<UserAwareness>();
        foreach (var batch in held.Chunk(Math.Max(1, batchSize)))
        {
            var (batchChanges, _) = await ApplyAsync(
                RedisAwarenessScripts.Remove,
                instanceId,
                batch.Select(entry => (entry.Value.ToString(), entry.Name.ToString(), "")).ToArray(),
                now).ConfigureAwait(false);
            changes.AddRange(batchChanges);
        }

        if (held.Length == 0)
        {
            // Nothing left to remove (its hash expired or was emptied): forget the instance.
            await Db.SetRemoveAsync(keys.AwarenessInstances, instanceId).ConfigureAwait(false);
        }

        return changes;
    }

    public async Task<IReadOnlyCollection<string>> InstancesAsync() =>
        (await Db.SetMembersAsync(keys.AwarenessInstances).ConfigureAwait(false)).Select(m => m.ToString()).ToArray();

    public async Task<IReadOnlyList<UserAwareness>> GetAsync(IReadOnlyCollection<string> userIds)
    {
        if (userIds.Count == 0)
        {
            return [];
        }

        var ids = userIds.ToArray();
        var values = await Db.StringGetAsync(ids.Select(id => (RedisKey)keys.AwarenessAggregate(id)).ToArray()).ConfigureAwait(false);
        return ids.Select((id, i) => values[i].HasValue ? AwarenessCodec.DecodeAggregate(id, values[i].ToString()) : UserAwareness.Offline(id)).ToList();
    }

    public async Task<IReadOnlyList<ConnectionAwareness>> GetConnectionsAsync(IReadOnlyCollection<string> userIds, DateTimeOffset now)
    {
        var at = AwarenessAggregator.Ms(now);
        var reads = userIds.Distinct(StringComparer.Ordinal).Select(id => Db.HashGetAllAsync(keys.AwarenessConnections(id))).ToList();
        var result = new List<ConnectionAwareness>();
        foreach (var entries in await Task.WhenAll(reads).ConfigureAwait(false))
        {
            // A lease the reaper has not yet removed is over all the same: the same rule as the scripts.
            result.AddRange(entries.Select(e => AwarenessCodec.DecodeConnection(e.Value.ToString())).Where(c => AwarenessAggregator.IsLive(c, at)));
        }

        return result;
    }

    private async Task<(List<UserAwareness> Changes, List<ConnectionKey> Lost)> ApplyAsync(
        string operation,
        string? instanceId,
        IReadOnlyList<(string UserId, string ConnectionId, string Payload)> items,
        DateTimeOffset now)
    {
        var redisKeys = new RedisKey[RedisAwarenessScripts.FixedKeys + (items.Count * 2)];
        redisKeys[0] = keys.AwarenessDue;
        redisKeys[1] = keys.AwarenessInstances;
        redisKeys[2] = instanceId is null ? keys.AwarenessInstances : keys.AwarenessInstanceConnections(instanceId);
        var values = new RedisValue[RedisAwarenessScripts.FixedArguments + (items.Count * 3)];
        values[0] = AwarenessAggregator.Ms(now);
        values[1] = operation;
        values[2] = instanceId ?? "";
        values[3] = (long)(Options.ConnectionLease + Options.OrphanKeyGrace).TotalMilliseconds;
        values[4] = (long)Options.OrphanKeyGrace.TotalMilliseconds;
        for (var i = 0; i < items.Count; i++)
        {
            redisKeys[RedisAwarenessScripts.FixedKeys + (i * 2)] = keys.AwarenessConnections(items[i].UserId);
            redisKeys[RedisAwarenessScripts.FixedKeys + (i * 2) + 1] = keys.AwarenessAggregate(items[i].UserId);
            values[RedisAwarenessScripts.FixedArguments + (i * 3)] = items[i].UserId;
            values[RedisAwarenessScripts.FixedArguments + (i * 3) + 1] = items[i].ConnectionId;
            values[RedisAwarenessScripts.FixedArguments + (i * 3) + 2] = items[i].Payload;
        }

        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisAwarenessScripts.Apply, redisKeys, values).ConfigureAwait(false))!;
        var changed = (RedisResult[])result[0]!;
        var lostPairs = (RedisResult[])result[1]!;
        var changes = new List<UserAwareness>(changed.Length / 2);
        for (var i = 0; i + 1 < changed.Length; i += 2)
        {
            changes.Add(AwarenessCodec.DecodeAggregate(changed[i].ToString(), changed[i + 1].ToString()));
        }

        var lost = new List<ConnectionKey>(lostPairs.Length / 2);
        for (var i = 0; i + 1 < lostPairs.Length; i += 2)
        {
            lost.Add(new ConnectionKey(lostPairs[i].ToString(), lostPairs[i + 1].ToString()));
        }

        return (changes, lost);
    }
}
