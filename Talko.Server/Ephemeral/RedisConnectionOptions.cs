using StackExchange.Redis;

namespace Talko.Server.Ephemeral;

/// <summary>
/// How Talko connects to Redis (StackExchange.Redis 3.x). The connection string may add any option; the protocol is
/// left at the library's default, RESP3 (Redis 6+), where subscriptions share the interactive connection, and
/// admin commands stay off (allowAdmin=false): Talko needs none (ADR 0910).
/// </summary>
public static class RedisConnectionOptions
{
    public static ConfigurationOptions From(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        // Start even if Redis is briefly unreachable; readiness reports it until the link is up.
        options.AbortOnConnectFail = false;
        // While Redis is away, fail at once instead of queueing for the timeout: requests fall back (device checks go to
        // the database), events are dropped (clients are told to resync when it is back), nothing waits 5 s per call.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }
}
