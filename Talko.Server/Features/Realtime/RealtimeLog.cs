namespace Talko.Server.Features.Realtime;

internal static partial class RealtimeLog
{
    [LoggerMessage(EventId = 7300, Level = LogLevel.Information, Message = "Hub method {HubMethod} refused: {Reason}")]
    public static partial void HubCallRefused(ILogger logger, string hubMethod, string reason);
}
