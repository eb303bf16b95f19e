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

    internal const int TcpRefusalsEventId = 1007;

    [LoggerMessage(EventId = TcpRefusalsEventId, Level = LogLevel.Warning, Message = "SIP TCP in the last {Interval}: refused {PerAddress} connections over the per-address limit ({PerAddressLimit}) and {Global} over the global limit ({GlobalLimit}); closed {Deadline} that did not complete a message in {MessageTimeout}; latest from {Remote}")]
    public static partial void TcpRefusals(ILogger logger, TimeSpan interval, long perAddress, int perAddressLimit, long global, int globalLimit, long deadline, TimeSpan messageTimeout, IPEndPoint remote);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "TCP stream from {Remote} cannot be framed; closing it")]
    public static partial void StreamBroken(ILogger logger, IPEndPoint remote);
}
