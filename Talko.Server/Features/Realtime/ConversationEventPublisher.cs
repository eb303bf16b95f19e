using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Core.Diagnostics;
using Talko.Core.Logging;
using Talko.Server.Features.Conversations;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// Sends committed changes to the SignalR groups (through the Redis backplane when scaled out), then
/// to the in-process listeners. Failures are logged, never thrown: the change is committed and sync
/// delivers it, so a lost event costs latency only. While the backplane is away every publish fails: one line per
/// <see cref="TalkoOptions.RepeatedFailureLogInterval"/> says so, with how many failed since.
/// </summary>
public sealed class ConversationEventPublisher(
    IHubContext<TalkoHub> hub,
    ConnectionGroups groups,
    IEnumerable<IConversationEventListener> listeners,
    IOptions<TalkoOptions> talko,
    ILogger<ConversationEventPublisher> logger) : IConversationEventPublisher
{
    private readonly LogThrottle failures = new(talko.Value.RepeatedFailureLogInterval);

    public async Task PublishAsync(ConversationEvent change, CancellationToken cancellationToken = default)
    {
        // A child of the request (or SIP admission) that committed the change: the hub's send, through the backplane.
        using var activity = TalkoTelemetry.Source.StartActivity("publish " + change.Name, ActivityKind.Producer);
        activity?.SetTag("messaging.system", "signalr");
        activity?.SetTag("messaging.operation.type", "publish");
        activity?.SetTag("messaging.destination.name", change.Recipient is null ? "conversation" : "user");
        try
        {
            if (change is MembershipChanged membership)
            {
                await groups.AnnounceAsync(change.ConversationId, membership.Member.UserId, !membership.Member.Removed);
            }

            var group = change.Recipient is { } recipient ? RealtimeGroups.User(recipient) : RealtimeGroups.Conversation(change.ConversationId);
            // Not the request's token: once committed, the event goes out even if the client hung up.
            await hub.Clients.Group(group).SendAsync(change.Name, change.Payload, CancellationToken.None);
            if (change is MembershipChanged joined && !joined.Member.Removed)
            {
                // The new member's connections may not be in the conversation group yet.
                await hub.Clients.Group(RealtimeGroups.User(joined.Member.UserId)).SendAsync(change.Name, change.Payload, CancellationToken.None);
            }
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            if (failures.ShouldWrite(out var heldBack))
            {
                ConversationsLog.PublishFailed(logger, change.Name, change.ConversationId, heldBack, exception);
            }
        }

        foreach (var listener in listeners)
        {
            try
            {
                await listener.OnCommittedAsync(change, cancellationToken);
            }
            catch (Exception exception)
            {
                ConversationsLog.ListenerFailed(logger, listener.GetType().Name, change.Name, exception);
            }
        }
    }
}
