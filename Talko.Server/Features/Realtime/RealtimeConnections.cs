using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.SignalR;
using Talko.Server.Drain;
using Talko.Server.Features.Accounts;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// The realtime connections open on this instance, with the user, device and access-token expiry each was opened
/// with: a drain asks each to reconnect elsewhere, and a device that loses access has its connections closed.
/// </summary>
public sealed class RealtimeConnections(IHubContext<TalkoHub> hub) : IDrainableConnections
{
    /// <summary>Tells a client to reconnect (through the load balancer, so to another instance), then resync.</summary>
    public const string ReconnectEvent = "reconnect";

    /// <summary>Tells a client that live events may have been lost (a backplane outage): sync now.</summary>
    public const string ResyncEvent = "resync";

    /// <summary>Tells a client its access ended (signed out, revoked, token expired) just before the server closes the connection.</summary>
    public const string AccessEndedEvent = "accessEnded";

    private readonly ConcurrentDictionary<string, OpenConnection> open = new();

    public int Count => open.Count;

    public IReadOnlyList<string> Ids => open.Keys.ToList();

    /// <summary>A snapshot of the open connections, for the periodic access check.</summary>
    public IReadOnlyList<OpenConnection> All => open.Values.ToList();

    public bool IsOpen(string connectionId) => open.ContainsKey(connectionId);

    internal void Opened(HubCallerContext context)
    {
        var user = context.User!;
        // "exp" is seconds since the epoch (RFC 7519 section 4.1.4); the token was validated, so it is there.
        DateTimeOffset? expiresAt = long.TryParse(user.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
        open[context.ConnectionId] = new OpenConnection(context, user.GetUserId(), user.FindDeviceId(), expiresAt);
    }

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

    /// <summary>
    /// Sends <see cref="ResyncEvent"/> to every connection of every instance, through the backplane: this instance's
    /// events may have failed to reach the others' clients while its link was down, even if their links never broke.
    /// </summary>
    public Task AskEveryoneToResyncAsync(RealtimeResync request, CancellationToken cancellationToken) =>
        hub.Clients.All.SendAsync(ResyncEvent, request, cancellationToken);

    /// <summary>
    /// Sends <see cref="ResyncEvent"/> to every connection of this instance, each written locally (not through the
    /// backplane); returns how many were asked.
    /// </summary>
    public async Task<int> AskAllToResyncAsync(RealtimeResync request, CancellationToken cancellationToken)
    {
        var ids = Ids;
        foreach (var id in ids)
        {
            await hub.Clients.Client(id).SendAsync(ResyncEvent, request, cancellationToken);
        }

        return ids.Count;
    }

    /// <summary>Closes the connection from the server side; false if it had already gone.</summary>
    public bool Close(string connectionId)
    {
        if (!open.TryGetValue(connectionId, out var connection))
        {
            return false;
        }

        connection.Context.Abort();
        return true;
    }

    /// <summary>
    /// Ends a connection whose access ended: it is removed at once (so nothing more is sent to it from this
    /// instance's bookkeeping), told why, and closed. The event is best effort; the close is not.
    /// </summary>
    public async Task EndAccessAsync(OpenConnection connection, string reason, CancellationToken cancellationToken)
    {
        if (!open.TryRemove(connection.Context.ConnectionId, out _))
        {
            return;
        }

        try
        {
            await hub.Clients.Client(connection.Context.ConnectionId).SendAsync(AccessEndedEvent, new RealtimeAccessEnded(reason), cancellationToken)
                .WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
        }
        catch (Exception exception) when (exception is TimeoutException or IOException or OperationCanceledException)
        {
            // The connection is closed below either way.
        }
        finally
        {
            connection.Context.Abort();
        }
    }

    /// <summary>The open connections of these devices of this user.</summary>
    public IReadOnlyList<OpenConnection> OfDevices(Guid userId, IReadOnlyCollection<Guid> deviceIds) =>
        open.Values.Where(c => c.UserId == userId && c.DeviceId is { } device && deviceIds.Contains(device)).ToList();
}

/// <summary>One open hub connection: who opened it, from which device, and until when its access token is valid.</summary>
public sealed record OpenConnection(HubCallerContext Context, Guid UserId, Guid? DeviceId, DateTimeOffset? AccessExpiresAt);

/// <summary>The payload of "resync": live events may have been missed (<paramref name="Reason"/>); sync from the stored token.</summary>
public sealed record RealtimeResync(string Reason);

/// <summary>
/// The payload of "accessEnded": "revoked" (the device was signed out or removed: sign in again) or "expired"
/// (connect again with a fresh access token from /v1/auth/refresh). The server closes the connection right after.
/// </summary>
public sealed record RealtimeAccessEnded(string Reason);
