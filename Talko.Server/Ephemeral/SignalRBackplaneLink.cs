using StackExchange.Redis;

namespace Talko.Server.Ephemeral;

/// <summary>
/// The SignalR backplane's own Redis link, made for it through <c>RedisOptions.ConnectionFactory</c> (SignalR owns and
/// disposes it), handed to <see cref="RedisBackplaneHealth"/> so that the link carrying live events is watched, not
/// only the event bus's: the two reconnect at different moments after an outage.
/// </summary>
public sealed class SignalRBackplaneLink
{
    private IConnectionMultiplexer? connection;

    /// <summary>Raised once, when SignalR has made its link.</summary>
    public event Action<IConnectionMultiplexer>? Attached;

    public IConnectionMultiplexer? Connection => Volatile.Read(ref connection);

    public IConnectionMultiplexer Attach(IConnectionMultiplexer made)
    {
        Volatile.Write(ref connection, made);
        Attached?.Invoke(made);
        return made;
    }
}
