namespace Talko.Core.Awareness;

/// <summary>
/// The one Lua script behind every awareness update on Redis. Each call applies one operation to a
/// batch of connections and, for every user touched, drops expired connections, turns expired typing
/// back into viewing, recomputes the aggregate, stores the user's next due time and compares the new
/// aggregate with the stored one, all atomically. Because the comparison happens inside the script,
/// two instances racing to reap the same user produce one change between them, never two.
/// The rules mirror <see cref="AwarenessAggregator"/>.
/// </summary>
internal static class RedisAwarenessScripts
{
    public const string Upsert = "upsert";
    public const string Remove = "remove";
    public const string Renew = "renew";
    public const string Reap = "reap";

    /// <summary>Number of ARGV values before the per-item triples.</summary>
    public const int FixedArguments = 5;

    /// <summary>Number of KEYS before the per-item pairs.</summary>
    public const int FixedKeys = 3;

    /// <summary>The aggregate of a user with no live connection; never stored.</summary>
    public const string OfflineAggregate = """{"p":0}""";

    /// <summary>
    /// KEYS: due sorted set, instances set, the operating instance's connection hash (unused by reap),
    /// then per item the user's connection hash and aggregate key.
    /// ARGV: now (Unix ms), operation, instance id, instance hash TTL (ms), how long user keys outlive
    /// their last lease (ms), then per item: user id, connection id, payload (connection JSON for
    /// upsert, new lease end in Unix ms for renew, empty otherwise).
    /// Returns { {userId, aggregateJson, ...changed}, {userId, connectionId, ...lost} }.
    /// </summary>
    public const string Apply =
        """
        local now = tonumber(ARGV[1])
        local op = ARGV[2]
        local instanceId = ARGV[3]
        local instanceTtl = tonumber(ARGV[4])
        local keep = tonumber(ARGV[5])
        local offline = '{"p":0}'

        local function field(name, value)
          if value == nil or value == cjson.null then return '' end
          return ',"' .. name .. '":' .. cjson.encode(value)
        end

        local function recompute(connsKey, aggKey, userId)
          local all = redis.call('HGETALL', connsKey)
          local presence = 0
          local best, bestAt, bestId = nil, 0, nil
          local status, statusAt, statusId = nil, 0, nil
          local nextDue, lastLease = nil, nil
          for i = 1, #all, 2 do
            local id = all[i]
            local c = cjson.decode(all[i + 1])
            if c.l <= now then
              redis.call('HDEL', connsKey, id)
            else
              if c.k == 2 and c.tu and c.tu <= now then
                c.k = 1
                c.tu = nil
                redis.call('HSET', connsKey, id, cjson.encode(c))
              end
              if c.p > presence then presence = c.p end
              if c.k ~= 0 and (bestId == nil or c.at > bestAt or (c.at == bestAt and id < bestId)) then
                best, bestAt, bestId = c, c.at, id
              end
              if statusId == nil or c.sa > statusAt or (c.sa == statusAt and id < statusId) then
                status, statusAt, statusId = c.s, c.sa, id
              end
              local due = c.l
              if c.k == 2 and c.tu and c.tu < due then due = c.tu end
              if nextDue == nil or due < nextDue then nextDue = due end
              if lastLease == nil or c.l > lastLease then lastLease = c.l end
            end
          end

          local body = '{"p":' .. presence
          if best then
            body = body .. ',"k":' .. best.k .. field('cv', best.cv) .. field('cl', best.cl)
            if best.m then body = body .. ',"m":true' end
            if best.t then body = body .. ',"t":true' end
            body = body .. field('pos', best.pos)
          end
          body = body .. field('s', status) .. '}'

          local previous = redis.call('GET', aggKey) or offline
          if nextDue then
            redis.call('ZADD', KEYS[1], nextDue, userId)
            redis.call('PEXPIRE', connsKey, lastLease - now + keep)
            redis.call('SET', aggKey, body, 'PX', lastLease - now + keep)
          else
            redis.call('ZREM', KEYS[1], userId)
            redis.call('DEL', aggKey)
          end
          if body == previous then return nil end
          return body
        end

        local changes, lost = {}, {}
        local items = (#ARGV - 5) / 3
        for n = 0, items - 1 do
          local userId, connId, payload = ARGV[6 + n * 3], ARGV[7 + n * 3], ARGV[8 + n * 3]
          local connsKey, aggKey = KEYS[4 + n * 2], KEYS[5 + n * 2]
          if op == 'upsert' then
            redis.call('HSET', connsKey, connId, payload)
            redis.call('HSET', KEYS[3], connId, userId)
          elseif op == 'remove' then
            redis.call('HDEL', connsKey, connId)
            redis.call('HDEL', KEYS[3], connId)
          elseif op == 'renew' then
            local raw = redis.call('HGET', connsKey, connId)
            local c = raw and cjson.decode(raw)
            if c and c.l > now then
              c.l = tonumber(payload)
              redis.call('HSET', connsKey, connId, cjson.encode(c))
              redis.call('HSET', KEYS[3], connId, userId)
            else
              lost[#lost + 1] = userId
              lost[#lost + 1] = connId
              redis.call('HDEL', KEYS[3], connId)
            end
          end
          local body = recompute(connsKey, aggKey, userId)
          if body then
            changes[#changes + 1] = userId
            changes[#changes + 1] = body
          end
        end

        if op == 'upsert' or op == 'renew' then
          if redis.call('EXISTS', KEYS[3]) == 1 then
            redis.call('SADD', KEYS[2], instanceId)
            redis.call('PEXPIRE', KEYS[3], instanceTtl)
          end
        elseif op == 'remove' and redis.call('EXISTS', KEYS[3]) == 0 then
          redis.call('SREM', KEYS[2], instanceId)
        end
        return { changes, lost }
        """;
}
