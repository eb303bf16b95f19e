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

    /// <summary>Redis rejects a zero or negative PX; the shortest expiry it takes is 1 ms.</summary>
    private static long Milliseconds(TimeSpan ttl) => Math.Max(1, (long)ttl.TotalMilliseconds);
}
