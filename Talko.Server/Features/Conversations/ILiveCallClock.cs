namespace Talko.Server.Features.Conversations;

/// <summary>
/// Tells the timeline whether a call is live in a conversation and where its recording is now, so an item posted
/// during a call carries the call and its offset without the client having to know them. The calls feature provides it.
/// </summary>
public interface ILiveCallClock
{
    Task<(Guid CallId, long OffsetMs)?> FindLiveAsync(Guid conversationId, CancellationToken cancellationToken);
}
