using StackExchange.Redis;
using Talko.Core.Eventing;

namespace Talko.Server.Ephemeral;

/// <summary>
/// Watches the Redis link: the subscription connection carries pub/sub (the event bus and, on its own link to the same
/// server, the SignalR backplane), so its loss means live events may have been lost.
/// </summary>
internal sealed partial class RedisBackplaneHealth : IBackplaneHealth
{
    private readonly ILogger<RedisBackplaneHealth> logger;
    private int lost;

    public RedisBackplaneHealth(IConnectionMultiplexer redis, ILogger<RedisBackplaneHealth> logger)
    {
        this.logger = logger;
        redis.ConnectionFailed += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Subscription && Interlocked.Exchange(ref lost, 1) == 0)
            {
                LogLost(logger, args.FailureType.ToString());
            }
        };
        redis.ConnectionRestored += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Subscription && Interlocked.Exchange(ref lost, 0) == 1)
            {
                LogRestored(logger);
                Restored?.Invoke();
            }
        };
    }

    public event Action? Restored;

    public bool IsConnected => Volatile.Read(ref lost) == 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the Redis backplane ({FailureType}): live events may be missed until it is back")]
    private static partial void LogLost(ILogger logger, string failureType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis backplane restored: realtime clients are told to resync")]
    private static partial void LogRestored(ILogger logger);
}
