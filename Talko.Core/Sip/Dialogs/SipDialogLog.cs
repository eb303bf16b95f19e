using Microsoft.Extensions.Logging;

namespace Talko.Core.Sip.Dialogs;

internal static partial class SipDialogLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "{Method} {CallId} rejected with {StatusCode}: {Reason}")]
    public static partial void Rejected(ILogger logger, string method, string callId, int statusCode, string reason);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Handler for {Method} {CallId} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string method, string callId);
}
