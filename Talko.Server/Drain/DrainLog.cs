namespace Talko.Server.Drain;

internal static partial class DrainLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining instance {InstanceId}: {Connections} realtime connections, {Calls} live calls; reconnects over {Window} after {Grace}, calls moved after {CallDeadline}, hard stop at {HardDeadline}")]
    public static partial void Started(ILogger logger, string instanceId, int connections, int calls, TimeSpan window, TimeSpan grace, TimeSpan callDeadline, TimeSpan hardDeadline);

    [LoggerMessage(Level = LogLevel.Information, Message = "Asked {Count} realtime clients to reconnect between {First} and {Last} into the drain")]
    public static partial void ReconnectsAsked(ILogger logger, int count, TimeSpan first, TimeSpan last);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} realtime connections that did not leave when asked")]
    public static partial void StragglersClosed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask realtime connection {ConnectionId} to reconnect")]
    public static partial void ReconnectFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call deadline reached with {Count} live calls: moving them")]
    public static partial void MovingCalls(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId} moved to {NewOwner}: participant {ParticipantId} lost {AudioGapMs:F0} ms of audio")]
    public static partial void ParticipantGap(ILogger logger, string callId, string newOwner, string participantId, double audioGapMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId} could not be moved: {Error}")]
    public static partial void CallNotMoved(ILogger logger, string callId, string? error, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain finished after {Elapsed}: {Connections} realtime connections and {Calls} calls left (hard deadline reached: {HardDeadlineReached})")]
    public static partial void Finished(ILogger logger, TimeSpan elapsed, int connections, int calls, bool hardDeadlineReached);

    [LoggerMessage(Level = LogLevel.Error, Message = "Drain failed; stopping")]
    public static partial void Failed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIGTERM: draining instead of stopping at once (a second SIGTERM stops at once)")]
    public static partial void SigtermDrains(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Second SIGTERM while draining: stopping now")]
    public static partial void SigtermStops(ILogger logger);
}
