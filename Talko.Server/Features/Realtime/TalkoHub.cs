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

    public override async Task OnConnectedAsync()
    {
        await groups.ConnectedAsync(Context.ConnectionId, Context.User!.GetUserId(), Context.ConnectionAborted);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        groups.Disconnected(Context.ConnectionId, Context.User!.GetUserId());
        await base.OnDisconnectedAsync(exception);
    }
}
