using Microsoft.Extensions.Logging;

namespace Talko.Core.Eventing;

internal static partial class EventBusLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Event handler for channel {Channel} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string channel);
}
