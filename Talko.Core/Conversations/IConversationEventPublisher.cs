namespace Talko.Core.Conversations;

/// <summary>
/// Sends committed conversation changes to whoever must hear of them: realtime clients on every
/// instance, then the in-process <see cref="IConversationEventListener"/>s. Call only after the
/// change is committed; a failure to publish is logged and swallowed, because sync recovers it.
/// </summary>
public interface IConversationEventPublisher
{
    Task PublishAsync(ConversationEvent change, CancellationToken cancellationToken = default);
}

/// <summary>
/// Hook for features that act on conversation changes on the instance that committed them (for example
/// notifications for an <see cref="ItemCreated"/>). Register as many as needed in DI; each is called once
/// per change, in registration order; an exception is logged and does not stop the others.
/// </summary>
public interface IConversationEventListener
{
    Task OnCommittedAsync(ConversationEvent change, CancellationToken cancellationToken);
}
