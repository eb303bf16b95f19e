using StackExchange.Redis;

namespace Talko.Core.Ephemeral;

/// <summary>The scale-out ephemeral store on Redis; every compare-and-* is one Lua script.</summary>
public sealed class RedisEphemeralStore(IConnectionMultiplexer redis) : IEphemeralStore
{
    private IDatabase Db => redis.GetDatabase();

    public async Task<string?> GetAsync(string key) => await Db.StringGetAsync(key).ConfigureAwait(false) is { HasValue: true } value ? value.ToString() : null;

    public async Task<IReadOnlyDictionary<string, string>> GetManyAsync(IReadOnlyCollection<string> keys)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return result;
        }

        // One MGET per hash slot: on Redis Cluster an MGET whose keys span slots fails with CROSSSLOT, and keys such as
        // instance descriptors or SIP bindings are spread on purpose. On a single server every key is in one group.
        var bySlot = keys.Select(k => (RedisKey)k).GroupBy(redis.GetHashSlot).Select(slot => slot.ToArray()).ToArray();
        var values = await Task.WhenAll(bySlot.Select(names => Db.StringGetAsync(names))).ConfigureAwait(false);
        for (var group = 0; group < bySlot.Length; group++)
        {
            for (var i = 0; i < bySlot[group].Length; i++)
            {
                if (values[group][i].HasValue)
                {
                    result[bySlot[group][i]!] = values[group][i].ToString();
                }
            }
        }

        return result;
    }

    public Task SetAsync(string key, string value, TimeSpan? ttl) =>
        ttl is { } t ? Db.StringSetAsync(key, value, t) : Db.StringSetAsync(key, value);

    public Task<bool> SetIfAbsentAsync(string key, string value, TimeSpan ttl) => Db.StringSetAsync(key, value, ttl, When.NotExists);

    public async Task<bool> CompareAndSetAsync(string key, string expected, string value, TimeSpan? ttl) =>
        (int)await Db.ScriptEvaluateAsync(RedisScripts.CompareAndSet, new
        {
            key = (RedisKey)key,
            expected,
            value,
            ttl = ttl is { } t ? Milliseconds(t).ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty,
        }).ConfigureAwait(false) == 1;

    public async Task<bool> CompareAndExpireAsync(string key, string expected, TimeSpan ttl) =>
        (int)await Db.ScriptEvaluateAsync(RedisScripts.CompareAndExpire, new { key = (RedisKey)key, expected, ttl = Milliseconds(ttl) }).ConfigureAwait(false) == 1;

    public async Task<bool> CompareAndDeleteAsync(string key, string expected) =>
        (int)await Db.ScriptEvaluateAsync(RedisScripts.CompareAndDelete, new { key = (RedisKey)key, expected }).ConfigureAwait(false) == 1;

    public Task<bool> DeleteAsync(string key) => Db.KeyDeleteAsync(key);

    public Task<bool> ExpireAsync(string key, TimeSpan ttl) => Db.KeyExpireAsync(key, ttl);

    public Task<TimeSpan?> GetTimeToLiveAsync(string key) => Db.KeyTimeToLiveAsync(key);

    public async Task<long> IncrementAsync(string key, long by, TimeSpan window) =>
        (long)await Db.ScriptEvaluateAsync(RedisScripts.IncrementInWindow, new { key = (RedisKey)key, by, window = Milliseconds(window) }).ConfigureAwait(false);

    public Task<bool> SetAddAsync(string key, string member) => Db.SetAddAsync(key, member);

    public async Task<bool> SetAddAndKeepAsync(string key, string member, TimeSpan lifetime) =>
        (long)await Db.ScriptEvaluateAsync(RedisScripts.SetAddAndKeep, new { key = (RedisKey)key, member, lifetime = Milliseconds(lifetime) }).ConfigureAwait(false) == 1;

    public Task<bool> SetRemoveAsync(string key, string member) => Db.SetRemoveAsync(key, member);

    public async Task<IReadOnlyCollection<string>> SetMembersAsync(string key) =>
        (await Db.SetMembersAsync(key).ConfigureAwait(false)).Select(m => m.ToString()).ToArray();

    public Task HashSetAndKeepAsync(string key, string field, string value, TimeSpan lifetime) =>
        Db.ScriptEvaluateAsync(RedisScripts.HashSetAndKeep, new { key = (RedisKey)key, field, value, lifetime = Milliseconds(lifetime) });

    public async Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key)
    {
        var entries = await Db.HashGetAllAsync(key).ConfigureAwait(false);
        var result = new Dictionary<string, string>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            result[entry.Name!] = entry.Value!;
        }

        return result;
    }

    public Task<bool> HashDeleteAsync(string key, string field) => Db.HashDeleteAsync(key, field);

    public async Task<bool> HashCompareAndDeleteAsync(string key, string field, string expected) =>
        (long)await Db.ScriptEvaluateAsync(RedisScripts.HashCompareAndDelete, new { key = (RedisKey)key, field, expected }).ConfigureAwait(false) == 1;

    public Task SortedSetRaiseAndKeepAsync(string key, string member, double score, TimeSpan lifetime) =>
        Db.ScriptEvaluateAsync(RedisScripts.SortedSetRaiseAndKeep,
            new { key = (RedisKey)key, member, score = Score(score), lifetime = Milliseconds(lifetime) });

    public async Task<IReadOnlyCollection<string>> SortedSetRemoveBelowAndReadAsync(string key, double minScore)
    {
        var members = (RedisResult[]?)await Db.ScriptEvaluateAsync(RedisScripts.SortedSetRemoveBelowAndRead,
            new { key = (RedisKey)key, minScore = Score(minScore) }).ConfigureAwait(false);
        return members?.Select(m => m.ToString()).ToArray() ?? [];
    }

    /// <summary>Scores travel as text; "R" keeps every bit of the double, and Lua reads it back as the same number.</summary>
    private static string Score(double score) => score.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Redis rejects a zero or negative PX; the shortest expiry it takes is 1 ms.</summary>
    private static long Milliseconds(TimeSpan ttl) => Math.Max(1, (long)ttl.TotalMilliseconds);
}
