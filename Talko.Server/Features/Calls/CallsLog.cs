namespace Talko.Server.Features.Calls;

internal static partial class CallsLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Call {CallId} started in conversation {ConversationId} by {UserId}")]
    public static partial void Started(ILogger logger, Guid callId, Guid conversationId, Guid userId);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Call {CallId} ended: {Reason}")]
    public static partial void Ended(ILogger logger, Guid callId, string reason);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "Recording segment {Index} of call {CallId} closed: {DurationMs} ms ({State})")]
    public static partial void SegmentClosed(ILogger logger, Guid callId, int index, long durationMs, string state);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "Call bookkeeping failed for call {CallId}")]
    public static partial void BookkeepingFailed(ILogger logger, string callId, Exception exception);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "Call host loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Warning, Message = "A call command could not be read: {Message}")]
    public static partial void BadCommand(ILogger logger, string message);

    [LoggerMessage(EventId = 7110, Level = LogLevel.Warning, Message = "Call {CallId} could not be moved off this draining instance: {Reason}")]
    public static partial void MoveFailed(ILogger logger, string callId, string reason);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Information, Message = "Adopting call {CallId}: waited {WaitedMs} ms for the previous owner(s) {Instances} to close their segment (closed by them: {ClosedByOwner})")]
    public static partial void HandoverAwaited(ILogger logger, Guid callId, string instances, long waitedMs, bool closedByOwner);

    [LoggerMessage(EventId = 7113, Level = LogLevel.Information, Message = "A recording request asked for range {Range} of {Length} bytes: 416")]
    public static partial void RangeNotSatisfiable(ILogger logger, string range, long length);

    [LoggerMessage(EventId = 7114, Level = LogLevel.Information, Message = "A recording playback URL for call {CallId} was refused: {Reason}")]
    public static partial void PlaybackUrlRefused(ILogger logger, Guid callId, string reason);
}
