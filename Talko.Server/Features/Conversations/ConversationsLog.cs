namespace Talko.Server.Features.Conversations;

internal static partial class ConversationsLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete blob {BlobId}")]
    public static partial void BlobDeleteFailed(ILogger logger, string blobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {EventName} for conversation {ConversationId} failed; clients catch up through sync ({HeldBack} more failed since the last line)")]
    public static partial void PublishFailed(ILogger logger, string eventName, Guid conversationId, long heldBack, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation event listener {Listener} failed on {EventName}")]
    public static partial void ListenerFailed(ILogger logger, string listener, string eventName, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload refused for conversation {ConversationId}: {Reason}")]
    public static partial void UploadRefused(ILogger logger, Guid conversationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} joined group {GroupId} through a pending invite")]
    public static partial void InviteClaimed(ILogger logger, Guid userId, Guid groupId);
}
