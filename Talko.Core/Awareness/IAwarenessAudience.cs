namespace Talko.Core.Awareness;

/// <summary>
/// Who may see whose awareness: only people who share a conversation. Answered from conversation
/// membership, which lives in the database.
/// </summary>
public interface IAwarenessAudience
{
    /// <summary>Every user who shares at least one conversation with <paramref name="userId"/>, the user included.</summary>
    Task<IReadOnlyCollection<string>> WatchersOfAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>The current members of a conversation, or null if it does not exist.</summary>
    Task<IReadOnlyCollection<string>?> MembersOfAsync(string conversationId, CancellationToken cancellationToken = default);
}
