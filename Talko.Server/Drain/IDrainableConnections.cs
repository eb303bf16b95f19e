namespace Talko.Server.Drain;

/// <summary>
/// The realtime feature's side of a drain: the client connections open on this instance, each asked to reconnect
/// elsewhere and closed if it stays. Owned here, implemented by the realtime feature and bound by the composition
/// root, so the drain depends on no feature.
/// </summary>
public interface IDrainableConnections
{
    int Count { get; }

    IReadOnlyList<string> Ids { get; }

    Task<bool> AskToReconnectAsync(string connectionId, RealtimeReconnect request, CancellationToken cancellationToken);

    bool Close(string connectionId);
}

/// <summary>
/// The payload of "reconnect": close this connection, connect again (the load balancer picks a serving
/// instance), wait for "ready", sync from the stored token. The server closes the connection itself after
/// <paramref name="CloseAfterMs"/>.
/// </summary>
public sealed record RealtimeReconnect(string Reason, string InstanceId, int CloseAfterMs);

/// <summary>Until the realtime feature registers its own: an instance with no client connections.</summary>
internal sealed class NoDrainableConnections : IDrainableConnections
{
    public int Count => 0;

    public IReadOnlyList<string> Ids => [];

    public Task<bool> AskToReconnectAsync(string connectionId, RealtimeReconnect request, CancellationToken cancellationToken) => Task.FromResult(false);

    public bool Close(string connectionId) => false;
}
