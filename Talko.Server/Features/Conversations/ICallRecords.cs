namespace Talko.Server.Features.Conversations;

/// <summary>When a call of a conversation started and ended; the calls feature provides it.</summary>
public interface ICallRecords
{
    /// <summary>The call <paramref name="callId"/> if it belongs to <paramref name="conversationId"/>; null for any other id.</summary>
    Task<CallSpan?> FindAsync(Guid conversationId, Guid callId, CancellationToken cancellationToken);
}

/// <summary>A call's start and (once over) end.</summary>
public sealed record CallSpan(DateTime StartedAt, DateTime? EndedAt);
