using StackExchange.Redis;
using Talko.Core.Eventing;

namespace Talko.Server.Ephemeral;

/// <summary>
/// Watches the Redis links that carry pub/sub: the event bus's and the SignalR backplane's (its own link, which
/// reconnects at its own moment), each with its two connections (publishing goes over the interactive one, receiving
/// over the subscription one). The loss of any means live events may have been lost; the backplane counts as restored
/// when every connection that was lost is back (ADR 0205).
/// </summary>
internal sealed partial class RedisBackplaneHealth : IBackplaneHealth
{
    private const int BusLink = 0;
    private const int SignalRLink = 2;
    private readonly ILogger<RedisBackplaneHealth> logger;
    private int lostLinks;
    private int watchingSignalR;

    public RedisBackplaneHealth(IConnectionMultiplexer redis, SignalRBackplaneLink backplane, ILogger<RedisBackplaneHealth> logger)
    {
        this.logger = logger;
        Watch(redis, BusLink);
        // Subscribe before looking, so a link made in between is not missed; Watch runs once.
        backplane.Attached += made => WatchSignalR(made);
        if (backplane.Connection is { } made)
        {
            WatchSignalR(made);
        }
    }

    public event Action? Restored;

    public bool IsConnected => Volatile.Read(ref lostLinks) == 0;

    private void WatchSignalR(IConnectionMultiplexer made)
    {
        if (Interlocked.Exchange(ref watchingSignalR, 1) == 0)
        {
            Watch(made, SignalRLink);
        }
    }

    private void Watch(IConnectionMultiplexer link, int firstBit)
    {
        int Bit(ConnectionType type) => 1 << (firstBit + (type == ConnectionType.Subscription ? 1 : 0));
        link.ConnectionFailed += (_, args) =>
        {
            if (Interlocked.Or(ref lostLinks, Bit(args.ConnectionType)) == 0)
            {
                LogLost(logger, args.FailureType.ToString());
            }
        };
        link.ConnectionRestored += (_, args) =>
        {
            var bit = Bit(args.ConnectionType);
            if (Interlocked.And(ref lostLinks, ~bit) == bit)
            {
                LogRestored(logger);
                Restored?.Invoke();
            }
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the Redis backplane ({FailureType}): live events may be missed until it is back")]
    private static partial void LogLost(ILogger logger, string failureType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis backplane restored: realtime clients are told to resync")]
    private static partial void LogRestored(ILogger logger);
}
