using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Talko.Core.Awareness;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Awareness;
using Talko.Server.Features.Calls;
using Talko.Server.WebRtc;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// The realtime endpoint (/hubs/talko). Clients authenticate with their access token (the
/// <c>access_token</c> query parameter for WebSockets and server-sent events). The server pushes the
/// events listed in docs/realtime.md: conversation events to groups <c>conv:{conversationId}</c>,
/// awareness to the users who share a conversation with its subject (see
/// <see cref="SignalRAwarenessNotifier"/>). A connection is one device of one user; its awareness lives
/// as long as it does. Other features add their methods here.
/// </summary>
[Authorize]
public sealed partial class TalkoHub(
    ConnectionGroups groups, AwarenessTracker tracker, RealtimeConnections connections, AwarenessSnapshots snapshots, ActivityGuard activityGuard, WebRtcLegRelay webRtcLegs) : Hub
{
    public const string Path = "/hubs/talko";

    /// <summary>Sent to a new connection once it is in all its groups.</summary>
    public const string ReadyEvent = "ready";

    public override async Task OnConnectedAsync()
    {
        connections.Opened(Context);
        var conversations = await groups.ConnectedAsync(Context.ConnectionId, Context.User!.GetUserId(), Context.ConnectionAborted);
        await tracker.ConnectAsync(Context.ConnectionId, UserId, Context.User!.FindDeviceId()?.ToString());
        await base.OnConnectedAsync();
        // The handshake completes before this method runs, so a client cannot tell from it when events
        // start to flow. "ready" says so: sync after it and nothing falls between sync and live events.
        await Clients.Caller.SendAsync(ReadyEvent, new RealtimeReady(conversations, (int)tracker.ClientHeartbeatInterval.TotalMilliseconds), Context.ConnectionAborted);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Closed(Context.ConnectionId);
        groups.Disconnected(Context.ConnectionId, Context.User!.GetUserId());
        await tracker.DisconnectAsync(Context.ConnectionId);
        await webRtcLegs.ConnectionClosedAsync(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// The client is still there; <paramref name="idleSeconds"/> since the person last touched the app. False when the
    /// connection had been dropped from awareness as silent: it is back, with no activity, for the client to set again.
    /// </summary>
    public Task<bool> Heartbeat(int idleSeconds) =>
        tracker.HeartbeatOrRejoinAsync(Context.ConnectionId, UserId, Context.User!.FindDeviceId()?.ToString(), TimeSpan.FromSeconds(Math.Max(0, idleSeconds)));

    /// <summary>Sets this device's activity: in a conversation the user belongs to, and "in a call" only while in that call.</summary>
    public async Task SetActivity(ActivityView activity)
    {
        var value = activity.ToActivity();
        await Guard(async () =>
        {
            await activityGuard.RequireAllowedAsync(value, Context.User!.GetUserId(), Context.ConnectionAborted);
            await tracker.SetActivityAsync(Context.ConnectionId, value);
        });
    }

    /// <summary>Typing in a conversation; it stops by itself unless repeated.</summary>
    public Task SetTyping(string conversationId) => SetActivity(new ActivityView(ActivityKind.Typing, conversationId, null, false, false, null));

    public Task SetStatus(string? statusText) => Guard(() => tracker.SetStatusAsync(Context.ConnectionId, statusText));

    /// <summary>The awareness of a conversation's members (members only).</summary>
    public async Task<IReadOnlyList<AwarenessView>> GetAwareness(string conversationId)
    {
        IReadOnlyList<AwarenessView> result = [];
        await Guard(async () => result = await snapshots.ForConversationAsync(conversationId, UserId, Context.ConnectionAborted));
        return result;
    }

    private string UserId => Context.User!.GetUserId().ToString();

    /// <summary>Bad input reaches the client as a readable hub error instead of a generic failure.</summary>
    private static async Task Guard(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ArgumentException exception)
        {
            throw new HubException(exception.Message);
        }
        catch (NotMemberException)
        {
            throw new HubException("Not a member of that conversation.");
        }
    }
}

/// <summary>
/// The payload of "ready": how many conversation groups the connection joined, and how often the client must call
/// <c>Heartbeat</c> to stay online in awareness.
/// </summary>
public sealed record RealtimeReady(int Conversations, int HeartbeatIntervalMs);
