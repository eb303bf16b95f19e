namespace Talko.Server.WebRtc;

internal static partial class WebRtcLog
{
    [LoggerMessage(EventId = 7210, Level = LogLevel.Information, Message = "WebRTC leg {LegId} joined call {CallId} for user {UserId} (hub connection {ConnectionId})")]
    public static partial void Joined(ILogger logger, Guid callId, string legId, Guid userId, string connectionId);

    [LoggerMessage(EventId = 7211, Level = LogLevel.Information, Message = "WebRTC join of call {CallId} relayed to its owner {Owner} (hub connection {ConnectionId})")]
    public static partial void Relayed(ILogger logger, Guid callId, string owner, string connectionId);

    [LoggerMessage(EventId = 7212, Level = LogLevel.Warning, Message = "The owner {Owner} of call {CallId} did not answer a relayed {Request} in time")]
    public static partial void RelayTimedOut(ILogger logger, Guid callId, string owner, string request);

    [LoggerMessage(EventId = 7213, Level = LogLevel.Warning, Message = "Instance {Origin}, which held the hub connections of {Count} WebRTC legs here, is gone: the legs ended")]
    public static partial void OriginGone(ILogger logger, string origin, int count);

    [LoggerMessage(EventId = 7214, Level = LogLevel.Error, Message = "Relaying a WebRTC leg request failed ({What})")]
    public static partial void RelayFailed(ILogger logger, string what, Exception exception);

    [LoggerMessage(EventId = 7215, Level = LogLevel.Warning, Message = "Unreadable message on this instance's channel: {Message}")]
    public static partial void UnreadableRelayMessage(ILogger logger, string message);

    [LoggerMessage(EventId = 7216, Level = LogLevel.Information, Message = "WebRTC leg {LegId} of moved call {CallId} ended here; its client joins again at the new owner")]
    public static partial void EndedForMove(ILogger logger, Guid callId, string legId);
}
