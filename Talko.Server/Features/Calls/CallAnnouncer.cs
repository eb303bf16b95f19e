using Talko.Core.Calls;
using Talko.Core.Conversations;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Calls;

/// <summary><see cref="ICallAnnouncer"/>: reads the call's view (with a reader of its own, like <see cref="EfCallBookkeeping"/>) and publishes it.</summary>
internal sealed class CallAnnouncer(IScopedWork<CallReader> readers, IConversationEventPublisher publisher) : ICallAnnouncer
{
    public async Task UpdatedAsync(CallId callId)
    {
        if (await readers.RunAsync(reader => reader.ViewAsync(callId.Value, CancellationToken.None)) is { } view)
        {
            await publisher.PublishAsync(new CallChanged(CallChanged.UpdatedName, view));
        }
    }

    public Task MovedAsync(CallId callId, Guid conversationId, string ownerInstanceId, string sipUri, CancellationToken cancellationToken) =>
        publisher.PublishAsync(new CallMoved(conversationId, new CallMovedView(callId.Value, conversationId, ownerInstanceId, sipUri)), cancellationToken);
}
