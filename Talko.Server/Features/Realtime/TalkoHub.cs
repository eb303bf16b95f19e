using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Talko.Server.Features.Accounts;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// The realtime endpoint (/hubs/talko). Clients authenticate with their access token (the
/// <c>access_token</c> query parameter for WebSockets and server-sent events) and then only listen:
/// the server pushes the events listed in docs/realtime.md. Other features add their methods here.
/// </summary>
[Authorize]
public sealed class TalkoHub(ConnectionGroups groups) : Hub
{
    public const string Path = "/hubs/talko";

    /// <summary>Sent to a new connection once it is in all its groups.</summary>
    public const string ReadyEvent = "ready";

    public override async Task OnConnectedAsync()
    {
        var conversations = await groups.ConnectedAsync(Context.ConnectionId, Context.User!.GetUserId(), Context.ConnectionAborted);
        await base.OnConnectedAsync();
        // The handshake completes before this method runs, so a client cannot tell from it when events
        // start to flow. "ready" says so: sync after it and nothing falls between sync and live events.
        await Clients.Caller.SendAsync(ReadyEvent, new RealtimeReady(conversations), Context.ConnectionAborted);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        groups.Disconnected(Context.ConnectionId, Context.User!.GetUserId());
        await base.OnDisconnectedAsync(exception);
    }
}

/// <summary>The payload of "ready": how many conversation groups the connection joined.</summary>
public sealed record RealtimeReady(int Conversations);
