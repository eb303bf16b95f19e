namespace Talko.Server.Features.Notifications.InApp;

/// <summary>
/// Whether a user is a current member of a conversation: only such a conversation can be muted. Owned here and
/// implemented by the conversations feature (bound by its own wiring), so notifications do not depend on conversations.
/// </summary>
public interface IConversationMemberCheck
{
    Task<bool> IsMemberAsync(Guid conversationId, Guid userId, CancellationToken cancellationToken);
}
