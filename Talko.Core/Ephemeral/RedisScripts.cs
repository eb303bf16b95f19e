using StackExchange.Redis;

namespace Talko.Core.Ephemeral;

/// <summary>
/// The Lua scripts behind every read-modify-write in <see cref="RedisEphemeralStore"/>. Redis runs a
/// script atomically, which answers the seed's "no server that can run code on shared data".
/// </summary>
internal static class RedisScripts
{
    /// <summary>KEYS[1]; ARGV: expected, new value, ttl in ms (empty: keep the current TTL).</summary>
    public static readonly LuaScript CompareAndSet = LuaScript.Prepare(
        """
        if redis.call('GET', @key) ~= @expected then return 0 end
        if @ttl == '' then redis.call('SET', @key, @value, 'KEEPTTL')
        else redis.call('SET', @key, @value, 'PX', @ttl) end
        return 1
        """);

    public static readonly LuaScript CompareAndExpire = LuaScript.Prepare(
        """
        if redis.call('GET', @key) ~= @expected then return 0 end
        return redis.call('PEXPIRE', @key, @ttl)
        """);

    public static readonly LuaScript CompareAndDelete = LuaScript.Prepare(
        """
        if redis.call('GET', @key) ~= @expected then return 0 end
        return redis.call('DEL', @key)
        """);

    /// <summary>A fixed-window counter: the first increment starts the window.</summary>
    public static readonly LuaScript IncrementInWindow = LuaScript.Prepare(
        """
        local value = redis.call('INCRBY', @key, @by)
        if value == tonumber(@by) then redis.call('PEXPIRE', @key, @window) end
        return value
        """);

    /// <summary>SADD, then PEXPIRE unless the set already lives longer (PTTL is -1 without expiry, -2 if missing).</summary>
    public static readonly LuaScript SetAddAndKeep = LuaScript.Prepare(
        """
        local added = redis.call('SADD', @key, @member)
        if redis.call('PTTL', @key) < tonumber(@lifetime) then redis.call('PEXPIRE', @key, @lifetime) end
        return added
        """);

    /// <summary>HSET, then PEXPIRE unless the hash already lives longer, as <see cref="SetAddAndKeep"/> does for sets.</summary>
    public static readonly LuaScript HashSetAndKeep = LuaScript.Prepare(
        """
        redis.call('HSET', @key, @field, @value)
        if redis.call('PTTL', @key) < tonumber(@lifetime) then redis.call('PEXPIRE', @key, @lifetime) end
        return 1
        """);

    public static readonly LuaScript HashCompareAndDelete = LuaScript.Prepare(
        """
        if redis.call('HGET', @key, @field) ~= @expected then return 0 end
        return redis.call('HDEL', @key, @field)
        """);

    /// <summary>ZADD GT (a new member is added, a lower score ignored), then PEXPIRE unless the set already lives longer.</summary>
    public static readonly LuaScript SortedSetRaiseAndKeep = LuaScript.Prepare(
        """
        redis.call('ZADD', @key, 'GT', @score, @member)
        if redis.call('PTTL', @key) < tonumber(@lifetime) then redis.call('PEXPIRE', @key, @lifetime) end
        return 1
        """);

    /// <summary>The score bound is exclusive: members scored exactly at it stay.</summary>
    public static readonly LuaScript SortedSetRemoveBelowAndRead = LuaScript.Prepare(
        """
        redis.call('ZREMRANGEBYSCORE', @key, '-inf', '(' .. @minScore)
        return redis.call('ZRANGE', @key, 0, -1)
        """);
}
