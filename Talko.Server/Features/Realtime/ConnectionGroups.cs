using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Server.Data;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// Keeps this instance's realtime connections in the SignalR groups of their users' conversations. On
/// connect it reads the memberships from the database; afterwards every instance hears membership
/// changes on the event bus and moves its own connections. The connection is registered before the
/// read, so a change committed meanwhile is applied either by the read or by the message.
/// </summary>
public sealed partial class ConnectionGroups(
    IHubContext<TalkoHub> hub,
    IServiceScopeFactory scopes,
    IEventBus bus,
    KeySpace keys,
    InstanceLoadCounters load,
    ILogger<ConnectionGroups> logger) : IHostedService
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> connectionsByUser = new();
    private IAsyncDisposable? subscription;

    /// <summary>Registers the connection and joins it to its user's groups; returns how many conversations it follows.</summary>
    public async Task<int> ConnectedAsync(string connectionId, Guid userId, CancellationToken cancellationToken)
    {
        connectionsByUser.GetOrAdd(userId, _ => new()).TryAdd(connectionId, 0);
        load.RealtimeConnectionOpened();
        await hub.Groups.AddToGroupAsync(connectionId, RealtimeGroups.User(userId), cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var conversationIds = await db.Set<ConversationMember>().AsNoTracking()
            .Where(m => m.UserId == userId && m.RemovedAt == null)
            .Select(m => m.ConversationId)
            .ToListAsync(cancellationToken);
        foreach (var conversationId in conversationIds)
        {
            await hub.Groups.AddToGroupAsync(connectionId, RealtimeGroups.Conversation(conversationId), cancellationToken);
        }

        return conversationIds.Count;
    }

    public void Disconnected(string connectionId, Guid userId)
    {
        if (connectionsByUser.TryGetValue(userId, out var connections) && connections.TryRemove(connectionId, out _))
        {
            load.RealtimeConnectionClosed();
        }
    }

    /// <summary>Tells every instance (this one included) that <paramref name="userId"/> joined or left a conversation.</summary>
    public Task AnnounceAsync(Guid conversationId, Guid userId, bool isMember) =>
        bus.PublishAsync(keys.ConversationMembershipChannel, JsonSerializer.Serialize(new MembershipMessage(conversationId, userId, isMember)));

    public async Task StartAsync(CancellationToken cancellationToken) =>
        subscription = await bus.SubscribeAsync(keys.ConversationMembershipChannel, ApplyAsync);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (subscription is not null)
        {
            await subscription.DisposeAsync();
        }
    }

    private async Task ApplyAsync(string message)
    {
        try
        {
            var change = JsonSerializer.Deserialize<MembershipMessage>(message);
            if (change is null || !connectionsByUser.TryGetValue(change.UserId, out var connections))
            {
                return;
            }

            var group = RealtimeGroups.Conversation(change.ConversationId);
            foreach (var connectionId in connections.Keys)
            {
                await (change.IsMember
                    ? hub.Groups.AddToGroupAsync(connectionId, group)
                    : hub.Groups.RemoveFromGroupAsync(connectionId, group));
            }
        }
        catch (Exception exception) when (exception is JsonException or IOException or InvalidOperationException)
        {
            LogMembershipFailed(logger, exception);
        }
    }

    private sealed record MembershipMessage(Guid ConversationId, Guid UserId, bool IsMember);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not apply a conversation membership change to realtime connections")]
    private static partial void LogMembershipFailed(ILogger logger, Exception exception);
}
