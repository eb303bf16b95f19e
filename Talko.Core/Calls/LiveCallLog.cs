using Microsoft.Extensions.Logging;

namespace Talko.Core.Calls;

/// <summary>What the live calls log; the event ids are those of the calls feature (71xx), which logs the rest.</summary>
internal static partial class LiveCallLog
{
    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Instance {InstanceId} owns call {CallId} (previous owner: {PreviousOwner})")]
    public static partial void Owned(ILogger logger, string instanceId, Guid callId, string? previousOwner);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Ownership of call {CallId} was lost; its legs here are hung up")]
    public static partial void OwnershipLost(ILogger logger, Guid callId);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "Call bookkeeping failed for call {CallId}")]
    public static partial void BookkeepingFailed(ILogger logger, string callId, Exception exception);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Information, Message = "Rang {Answered} device(s) of user {UserId} into call {CallId}")]
    public static partial void Rang(ILogger logger, Guid callId, Guid userId, int answered);

    [LoggerMessage(EventId = 7109, Level = LogLevel.Information, Message = "User {UserId} rejoined moved call {CallId} after an audio gap of {GapMs} ms")]
    public static partial void RejoinedAfterMove(ILogger logger, Guid callId, Guid userId, long gapMs);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Warning, Message = "The claim on call {CallId} lapsed before its renewal (a stall here or in Redis); nobody had taken it, so it was claimed again")]
    public static partial void ClaimReclaimed(ILogger logger, Guid callId);

    [LoggerMessage(EventId = 7123, Level = LogLevel.Debug, Message = "Leg {LegId} of user {UserId} in call {CallId}: talking {Talking}")]
    public static partial void TalkingChanged(ILogger logger, Guid callId, string legId, Guid userId, bool talking);
}
