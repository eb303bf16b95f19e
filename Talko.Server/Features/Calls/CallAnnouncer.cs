using Talko.Core.Calls;
using Talko.Core.Conversations;

namespace Talko.Server.Features.Calls;

/// <summary><see cref="ICallAnnouncer"/>: reads the call's view (in a scope of its own, like <see cref="EfCallBookkeeping"/>) and publishes it.</summary>
internal sealed class CallAnnouncer(IServiceScopeFactory scopes, IConversationEventPublisher publisher) : ICallAnnouncer
{
    public async Task UpdatedAsync(CallId callId)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (await scope.ServiceProvider.GetRequiredService<CallReader>().ViewAsync(callId.Value, CancellationToken.None) is { } view)
        {
            await publisher.PublishAsync(new CallChanged(CallChanged.UpdatedName, view));
        }
    }

    public Task MovedAsync(CallId callId, Guid conversationId, string ownerInstanceId, string sipUri, CancellationToken cancellationToken) =>
        publisher.PublishAsync(new CallMoved(conversationId, new CallMovedView(callId.Value, conversationId, ownerInstanceId, sipUri)), cancellationToken);
}
