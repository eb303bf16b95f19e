using System.Net;
using Microsoft.Extensions.Logging;

namespace Talko.Core.Sip.Transport;

internal static partial class SipTransportLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, Message = "SIP message handler failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "SIP {Protocol} send to {Remote} failed: {Reason}")]
    public static partial void SendFailed(ILogger logger, string protocol, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Malformed SIP message from {Remote} ({Kind}: {Detail}); answered {StatusCode}")]
    public static partial void Malformed(ILogger logger, IPEndPoint remote, Messages.SipParseErrorKind kind, string detail, int statusCode);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Dropped a SIP response from {Remote}: {Reason}")]
    public static partial void ResponseDropped(ILogger logger, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "SIP {Protocol} listening on {Local}")]
    public static partial void Listening(ILogger logger, string protocol, IPEndPoint local);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "TCP connection from {Remote} refused: {MaxConnections} connections open")]
    public static partial void TooManyConnections(ILogger logger, IPEndPoint remote, int maxConnections);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "TCP stream from {Remote} cannot be framed; closing it")]
    public static partial void StreamBroken(ILogger logger, IPEndPoint remote);
}
