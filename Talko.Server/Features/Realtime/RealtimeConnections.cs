using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// The realtime connections open on this instance, so a drain can ask each to reconnect elsewhere and
/// close the ones that do not go by themselves.
/// </summary>
public sealed class RealtimeConnections(IHubContext<TalkoHub> hub)
{
    /// <summary>Tells a client to reconnect (through the load balancer, so to another instance), then resync.</summary>
    public const string ReconnectEvent = "reconnect";

    private readonly ConcurrentDictionary<string, HubCallerContext> open = new();

    public int Count => open.Count;

    public IReadOnlyList<string> Ids => open.Keys.ToList();

    public bool IsOpen(string connectionId) => open.ContainsKey(connectionId);

    internal void Opened(HubCallerContext context) => open[context.ConnectionId] = context;

    internal void Closed(string connectionId) => open.TryRemove(connectionId, out _);

    /// <summary>Sends <see cref="ReconnectEvent"/>; false if the connection is already gone.</summary>
    public async Task<bool> AskToReconnectAsync(string connectionId, RealtimeReconnect request, CancellationToken cancellationToken)
    {
        if (!open.ContainsKey(connectionId))
        {
            return false;
        }

        await hub.Clients.Client(connectionId).SendAsync(ReconnectEvent, request, cancellationToken);
        return true;
    }

    /// <summary>Closes the connection from the server side; false if it had already gone.</summary>
    public bool Close(string connectionId)
    {
        if (!open.TryGetValue(connectionId, out var context))
        {
            return false;
        }

        context.Abort();
        return true;
    }
}

/// <summary>
/// The payload of "reconnect": close this connection, connect again (the load balancer picks a serving
/// instance), wait for "ready", sync from the stored token. The server closes the connection itself after
/// <paramref name="CloseAfterMs"/>.
/// </summary>
public sealed record RealtimeReconnect(string Reason, string InstanceId, int CloseAfterMs);
